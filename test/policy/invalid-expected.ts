// Exact lines reported for each file of the invalid-policy corpus (paths
// relative to the repo root, where jest runs). Shared by the loader test and
// the CLI test, which checks the same lines come out of `portolan validate`.

export const EXPECTED: Record<string, string[]> = {
  'allow-errors.yaml': [
    "test/policy/invalid/allow-errors.yaml:7:9: rules[0].allow[0]: give ports or icmp, not both (ports cover tcp/udp states, icmp covers icmp/icmpv6 states); split it into two entries",
    "test/policy/invalid/allow-errors.yaml:8:9: rules[0].allow[1]: protocol all with ports never covers anything (an all state is covered only by an entry that narrows neither ports nor icmp)",
    "test/policy/invalid/allow-errors.yaml:9:27: rules[0].allow[2].ports: not allowed with protocol icmp (ports apply to tcp, udp and all; use icmp: {type, code} for ICMP)",
    "test/policy/invalid/allow-errors.yaml:10:11: unknown key \"protcol\" in rules[0].allow[3] (did you mean \"protocol\"?); allowed: protocol, ports, icmp",
  ],
  'bad-cidr.yaml': [
    "test/policy/invalid/bad-cidr.yaml:3:12: networks.office[0]: \"10.0.0.300/24\" is not a valid CIDR: not an IP address or CIDR",
    "test/policy/invalid/bad-cidr.yaml:3:27: networks.office[1]: \"2001:db8::/129\" is not a valid CIDR: prefix length 129 is out of range for IPv6 (0-128)",
  ],
  'bad-covers-alias.yaml': [
    "test/policy/invalid/bad-covers-alias.yaml:7:17: rules[0].match.source.covers: \"everything\" is not one of world, world-ipv4, world-ipv6",
    "test/policy/invalid/bad-covers-alias.yaml:8:16: rules[0].match.source.alias: \"ec2-instance-connect\" is not a Lightsail alias; the only one is lightsail-connect",
  ],
  'bad-protocol.yaml': [
    "test/policy/invalid/bad-protocol.yaml:6:23: rules[0].match.protocol[1]: \"gre\" is not one of tcp, udp, icmp, icmpv6, all",
  ],
  'bad-rule-id.yaml': [
    "test/policy/invalid/bad-rule-id.yaml:3:9: rules[0].id: \"-ssh\" must start with a letter or digit and contain only letters, digits, \".\", \"_\" and \"-\"",
    "test/policy/invalid/bad-rule-id.yaml:5:9: rules[1].id: \"this-rule-id-is-much-too-long-to-be-accepted-by-the-policy-validator\" is longer than 64 characters",
  ],
  'bad-severity.yaml': [
    "test/policy/invalid/bad-severity.yaml:4:15: rules[0].severity: \"urgent\" is not one of critical, high, medium, low, info",
  ],
  'bad-source.yaml': [
    "test/policy/invalid/bad-source.yaml:6:15: rules[0].match.source: \"everyone\" is not one of world, public, any (or a mapping with covers, outside, overlaps, widerThan, alias)",
  ],
  'cycle-a.yaml': [
    "test/policy/invalid/cycle-b.yaml:2:11: extends[0]: cycle: test/policy/invalid/cycle-a.yaml -> test/policy/invalid/cycle-b.yaml -> test/policy/invalid/cycle-a.yaml",
  ],
  'cycle-b.yaml': [
    "test/policy/invalid/cycle-a.yaml:2:11: extends[0]: cycle: test/policy/invalid/cycle-b.yaml -> test/policy/invalid/cycle-a.yaml -> test/policy/invalid/cycle-b.yaml",
  ],
  'duplicate-key.yaml': [
    "test/policy/invalid/duplicate-key.yaml:5:5: duplicate key \"title\" (each key may appear once per mapping)",
  ],
  'duplicate-rule-id-extends.yaml': [
    "test/policy/invalid/duplicate-rule-id-extends.yaml:4:9: rules[0].id: duplicate rule id \"ssh-rdp-world\" (first defined at rules/baseline.yaml:13:9)",
  ],
  'duplicate-rule-id.yaml': [
    "test/policy/invalid/duplicate-rule-id.yaml:5:9: rules[1].id: duplicate rule id \"ssh\" (first defined at test/policy/invalid/duplicate-rule-id.yaml:3:9)",
  ],
  'empty-source-object.yaml': [
    "test/policy/invalid/empty-source-object.yaml:6:15: rules[0].match.source: must give at least one of covers, outside, overlaps, widerThan, alias",
  ],
  'exception-bad-date.yaml': [
    "test/policy/invalid/exception-bad-date.yaml:6:14: exceptions[0].expires: \"2027-02-30\" is not a valid YYYY-MM-DD date",
    "test/policy/invalid/exception-bad-date.yaml:9:14: exceptions[1].expires: \"31/01/2027\" is not a valid YYYY-MM-DD date",
  ],
  'exception-empty-rules.yaml': [
    "test/policy/invalid/exception-empty-rules.yaml:3:12: exceptions[0].rules: must list at least one rule id, or \"*\"",
    "test/policy/invalid/exception-empty-rules.yaml:5:12: exceptions[1].rules: \"*\" already means every rule; list it alone",
    "test/policy/invalid/exception-empty-rules.yaml:5:18: exceptions[1].rules[1]: unknown rule id \"ssh\"",
  ],
  'exception-reason-short.yaml': [
    "test/policy/invalid/exception-reason-short.yaml:5:13: exceptions[0].reason: must be at least 10 characters after trimming",
    "test/policy/invalid/exception-reason-short.yaml:6:5: exceptions[1]: missing required key \"reason\" (at least 10 characters saying why this is accepted)",
  ],
  'host-bits.yaml': [
    "test/policy/invalid/host-bits.yaml:3:12: networks.office[0]: \"10.0.0.5/8\" has host bits set; did you mean 10.0.0.0/8?",
  ],
  'icmp-out-of-range.yaml': [
    "test/policy/invalid/icmp-out-of-range.yaml:7:21: rules[0].match.icmp.type: 300 is outside -1..255",
    "test/policy/invalid/icmp-out-of-range.yaml:7:32: rules[0].match.icmp.code: -2 is outside -1..255",
  ],
  'icmp-with-tcp.yaml': [
    "test/policy/invalid/icmp-with-tcp.yaml:7:7: rules[0].match.icmp: not allowed with protocol tcp (icmp applies to icmp, icmpv6 and all)",
  ],
  'many-errors.yaml': [
    "test/policy/invalid/many-errors.yaml:8:15: rules[0].severity: \"urgent\" is not one of critical, high, medium, low, info",
    "test/policy/invalid/many-errors.yaml:11:19: rules[0].match.ports[1]: 65536 is outside 0-65535",
    "test/policy/invalid/many-errors.yaml:12:27: rules[0].match.source.outside[0]: unknown network \"offce\" (did you mean \"office\"?); known: private, office",
    "test/policy/invalid/many-errors.yaml:13:9: rules[1].id: duplicate rule id \"ssh-world\" (first defined at test/policy/invalid/many-errors.yaml:6:9)",
    "test/policy/invalid/many-errors.yaml:15:5: unknown key \"descripton\" in rules[1] (did you mean \"description\"?); allowed: id, title, severity, description, remediation, scope, match, allow",
    "test/policy/invalid/many-errors.yaml:17:13: exceptions[0].rules[0]: unknown rule id \"ssh-wrld\" (did you mean \"ssh-world\"?)",
    "test/policy/invalid/many-errors.yaml:18:13: exceptions[0].reason: must be at least 10 characters after trimming",
    "test/policy/invalid/many-errors.yaml:19:14: exceptions[0].expires: \"2027-13-01\" is not a valid YYYY-MM-DD date",
  ],
  'missing-extended-file.yaml': [
    "test/policy/invalid/missing-extended-file.yaml:2:11: extends[0]: cannot read \"test/policy/invalid/no-such-file.yaml\": ENOENT (no such file or directory)",
  ],
  'missing-title.yaml': [
    "test/policy/invalid/missing-title.yaml:3:5: rules[0]: missing required key \"title\"",
    "test/policy/invalid/missing-title.yaml:5:12: rules[1].title: must not be empty",
  ],
  'missing-version.yaml': [
    "test/policy/invalid/missing-version.yaml:1:1: missing required key \"version\" (must be 1)",
  ],
  'not-a-mapping.yaml': [
    "test/policy/invalid/not-a-mapping.yaml:1:1: a policy must be a mapping starting with \"version: 1\", got a list",
  ],
  'port-not-integer.yaml': [
    "test/policy/invalid/port-not-integer.yaml:6:15: rules[0].match.ports[0]: 22.5 is not an integer",
    "test/policy/invalid/port-not-integer.yaml:6:21: rules[0].match.ports[1]: \"abc\" is not a port or a \"from-to\" range",
    "test/policy/invalid/port-not-integer.yaml:6:28: rules[0].match.ports[2]: must be a port number or a \"from-to\" range, got the boolean true",
  ],
  'port-out-of-range.yaml': [
    "test/policy/invalid/port-out-of-range.yaml:6:19: rules[0].match.ports[1]: 70000 is outside 0-65535",
  ],
  'port-range-reversed.yaml': [
    "test/policy/invalid/port-range-reversed.yaml:6:15: rules[0].match.ports[0]: \"9000-8000\": the range starts after it ends",
  ],
  'ports-with-icmp.yaml': [
    "test/policy/invalid/ports-with-icmp.yaml:7:7: rules[0].match.ports: not allowed with protocol icmp (ports apply to tcp, udp and all; use icmp: {type, code} for ICMP)",
  ],
  'reserved-network-name.yaml': [
    "test/policy/invalid/reserved-network-name.yaml:3:3: networks.private: the name \"private\" is reserved for the built-in private address set; choose another name",
  ],
  'scope-errors.yaml': [
    "test/policy/invalid/scope-errors.yaml:6:16: rules[0].scope.regions: must be a list, got the string \"us-east-1\"",
    "test/policy/invalid/scope-errors.yaml:7:26: rules[0].scope.instances[1]: must be a string, got the integer 7",
    "test/policy/invalid/scope-errors.yaml:8:20: rules[0].scope.tags.env: must be a string, got a list",
    "test/policy/invalid/scope-errors.yaml:9:7: unknown key \"zone\" in rules[0].scope; allowed: regions, instances, tags",
  ],
  'unknown-exception-rule.yaml': [
    "test/policy/invalid/unknown-exception-rule.yaml:6:13: exceptions[0].rules[0]: unknown rule id \"ssh-wrld\" (did you mean \"ssh-world\"?)",
    "test/policy/invalid/unknown-exception-rule.yaml:6:34: exceptions[0].rules[2]: unknown rule id \"rdp-world\"",
  ],
  'unknown-key-match.yaml': [
    "test/policy/invalid/unknown-key-match.yaml:6:7: unknown key \"protcol\" in rules[0].match (did you mean \"protocol\"?); allowed: protocol, ports, icmp, source",
  ],
  'unknown-key-top.yaml': [
    "test/policy/invalid/unknown-key-top.yaml:2:1: unknown key \"rule\" at top level (did you mean \"rules\"?); allowed: version, extends, networks, rules, exceptions",
  ],
  'unknown-network.yaml': [
    "test/policy/invalid/unknown-network.yaml:9:19: rules[0].match.source.outside[0]: unknown network \"ofice\" (did you mean \"office\"?); known: private, office",
    "test/policy/invalid/unknown-network.yaml:10:20: rules[0].match.source.overlaps[0]: unknown network \"vpn\"; known: private, office",
  ],
  'unknown-pack.yaml': [
    "test/policy/invalid/unknown-pack.yaml:2:11: extends[0]: unknown bundled pack \"basline\"; available: baseline, example-team, strict (a file path needs a \"/\" or a .yaml/.yml suffix)",
  ],
  'widerthan-out-of-range.yaml': [
    "test/policy/invalid/widerthan-out-of-range.yaml:7:28: rules[0].match.source.widerThan.ipv4: 33 is outside 0-32",
    "test/policy/invalid/widerthan-out-of-range.yaml:7:38: rules[0].match.source.widerThan.ipv6: must be an integer in 0-128, got the string \"48\"",
  ],
  'wrong-types.yaml': [
    "test/policy/invalid/wrong-types.yaml:2:10: extends: must be a list, got the string \"baseline\"",
    "test/policy/invalid/wrong-types.yaml:3:11: networks: must be a mapping, got a list",
    "test/policy/invalid/wrong-types.yaml:5:3: rules: must be a list, got a mapping",
    "test/policy/invalid/wrong-types.yaml:6:13: exceptions: must be a list, got a mapping",
  ],
  'wrong-version.yaml': [
    "test/policy/invalid/wrong-version.yaml:1:10: version: must be 1, got 2",
  ],
  'yaml-syntax.yaml': [
    "test/policy/invalid/yaml-syntax.yaml:5:1: invalid YAML: missing closing \"quote",
  ],
};
