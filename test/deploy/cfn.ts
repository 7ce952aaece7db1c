// CloudFormation templates read and checked offline (cfn-lint is a Python
// tool this machine's registries cannot install): YAML with CloudFormation's
// short-form intrinsic tags turned into their long forms (as CloudFormation
// itself reads them, never stripped), the template's structure and references
// checked, and intrinsic functions evaluated for given parameter values so a
// test can compare the IAM policies a stack would create with the code's.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { REPO } from '../cli/run-cli.js';

export const DEPLOY = join(REPO, 'deploy');
export const MEMBER_TEMPLATE = join(DEPLOY, 'portolan-member-role.yaml');
export const CALLER_TEMPLATE = join(DEPLOY, 'portolan-org-caller-role.yaml');

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Template {
  AWSTemplateFormatVersion?: Json;
  Description?: Json;
  Parameters?: Record<string, Record<string, Json>>;
  Conditions?: Record<string, Json>;
  Resources?: Record<string, { Type?: Json; Properties?: Record<string, Json>; Condition?: Json; [key: string]: Json | undefined }>;
  Outputs?: Record<string, Record<string, Json>>;
  [section: string]: Json | undefined | object;
}

// The short forms and the long forms they stand for. Each tag is given for
// the node kinds CloudFormation accepts it on; any other use is an
// "unresolved tag" from the parser, which parseTemplate reports.
const SCALAR_FORMS: Record<string, (value: string) => Json> = {
  '!Ref': (v) => ({ Ref: v }),
  '!Sub': (v) => ({ 'Fn::Sub': v }),
  '!GetAtt': (v) => ({ 'Fn::GetAtt': splitGetAtt(v) }),
  '!Condition': (v) => ({ Condition: v }),
  '!ImportValue': (v) => ({ 'Fn::ImportValue': v }),
  '!Base64': (v) => ({ 'Fn::Base64': v }),
  '!GetAZs': (v) => ({ 'Fn::GetAZs': v }),
};
const SEQ_FORMS = ['!Sub', '!GetAtt', '!If', '!Equals', '!Not', '!And', '!Or', '!Join', '!Select', '!Split', '!FindInMap', '!Cidr', '!Base64', '!ImportValue'];
const MAP_FORMS = ['!Base64', '!ImportValue', '!Transform'];

function longName(tag: string): string {
  return tag === '!Condition' ? 'Condition' : `Fn::${tag.slice(1)}`;
}

/** `!GetAtt Role.Arn` is `["Role", "Arn"]`: the resource, then the attribute (which may itself hold dots). */
function splitGetAtt(value: string): Json {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

const collectionForm =
  (tag: string) =>
  (node: YAMLMap.Parsed | YAMLSeq.Parsed): Json => ({ [longName(tag)]: node.toJSON() as Json });

const CFN_TAGS: Array<ScalarTag | CollectionTag> = [
  ...Object.entries(SCALAR_FORMS).map(([tag, form]): ScalarTag => ({ tag, resolve: (value: string) => form(value) })),
  ...SEQ_FORMS.map((tag): CollectionTag => ({ tag, collection: 'seq', resolve: collectionForm(tag) })),
  ...MAP_FORMS.map((tag): CollectionTag => ({ tag, collection: 'map', resolve: collectionForm(tag) })),
];

export interface Parsed {
  template: Template;
  /** YAML errors and warnings (an unknown tag, a tag on the wrong kind of node, a duplicate key). */
  problems: string[];
}

export function parseTemplate(text: string): Parsed {
  const doc = parseDocument(text, { customTags: CFN_TAGS, uniqueKeys: true, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  return { template: (doc.toJS() ?? {}) as Template, problems };
}

export function readTemplate(path: string): Parsed {
  return parseTemplate(readFileSync(path, 'utf8'));
}

// ---------------------------------------------------------------- checks

const SECTIONS = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs'];
const PARAMETER_KEYS = ['Type', 'Default', 'Description', 'AllowedPattern', 'AllowedValues', 'ConstraintDescription', 'MinLength', 'MaxLength', 'MinValue', 'MaxValue', 'NoEcho'];
const PARAMETER_TYPES = ['String', 'Number', 'List<Number>', 'CommaDelimitedList'];
const RESOURCE_KEYS = ['Type', 'Properties', 'Condition', 'DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Metadata'];
const OUTPUT_KEYS = ['Description', 'Value', 'Export', 'Condition'];
export const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];

interface ResourceSpec {
  required: string[];
  properties: string[];
  attributes: string[];
}

/** The resource types these templates may use, from the CloudFormation resource reference. */
export const RESOURCE_SPECS: Record<string, ResourceSpec> = {
  'AWS::IAM::Role': {
    required: ['AssumeRolePolicyDocument'],
    properties: ['AssumeRolePolicyDocument', 'Description', 'ManagedPolicyArns', 'MaxSessionDuration', 'Path', 'PermissionsBoundary', 'Policies', 'RoleName', 'Tags'],
    attributes: ['Arn', 'RoleId'],
  },
  'AWS::IAM::OIDCProvider': {
    required: [],
    properties: ['ClientIdList', 'Tags', 'ThumbprintList', 'Url'],
    attributes: ['Arn'],
  },
};

/** A scalar as CloudFormation writes it into a string; an object or list here is a template mistake. */
export function text(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`expected a scalar, got ${JSON.stringify(value)}`);
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every `${Name}` or `${Resource.Attribute}` of a Fn::Sub string; `${!Literal}` is text. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!.trim()).filter((name) => !name.startsWith('!'));
}

/** Template problems, as cfn-lint would name them; empty when the template is sound. */
export function checkTemplate(template: Template): string[] {
  const problems: string[] = [];
  const parameters = template.Parameters ?? {};
  const resources = template.Resources ?? {};
  const conditions = template.Conditions ?? {};
  const outputs = template.Outputs ?? {};

  for (const key of Object.keys(template)) if (!SECTIONS.includes(key)) problems.push(`unknown top-level section ${key}`);
  if (template.AWSTemplateFormatVersion !== '2010-09-09') problems.push(`AWSTemplateFormatVersion must be "2010-09-09", got ${JSON.stringify(template.AWSTemplateFormatVersion)}`);
  if (typeof template.Description !== 'string' || template.Description.length === 0 || template.Description.length > 1024) problems.push('Description must be text of at most 1024 characters');
  if (Object.keys(resources).length === 0) problems.push('Resources must declare at least one resource');

  // Parameters: known types and keys, a default that meets its own constraints.
  for (const [name, spec] of Object.entries(parameters)) {
    for (const key of Object.keys(spec)) if (!PARAMETER_KEYS.includes(key)) problems.push(`Parameters.${name}: unknown key ${key}`);
    const type = spec['Type'];
    if (typeof type !== 'string' || !(PARAMETER_TYPES.includes(type) || type.startsWith('AWS::'))) problems.push(`Parameters.${name}: Type ${JSON.stringify(type)} is not a parameter type`);
    if (typeof spec['Description'] !== 'string') problems.push(`Parameters.${name}: no Description`);
    if ('Default' in spec) {
      const bad = parameterValueProblem(spec, text(spec['Default']));
      if (bad) problems.push(`Parameters.${name}: Default ${bad}`);
    }
  }

  const names = new Set([...Object.keys(parameters), ...Object.keys(resources), ...PSEUDO_PARAMETERS]);
  const used = new Set<string>();
  const checkRefs = (where: string, value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        checkRefs(`${where}[${i}]`, v);
      });
      return;
    }
    if (!isObject(value)) return;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0]! : undefined;
    const arg = only === undefined ? undefined : value[only];
    if (only === 'Ref') {
      if (typeof arg !== 'string' || !names.has(arg)) problems.push(`${where}: Ref to ${JSON.stringify(arg)}, which is no parameter, resource or pseudo parameter`);
      else used.add(arg);
      return;
    }
    if (only === 'Fn::GetAtt') {
      const [resource, attribute] = Array.isArray(arg) ? arg : [];
      const type = typeof resource === 'string' ? resources[resource]?.Type : undefined;
      if (typeof resource !== 'string' || type === undefined) problems.push(`${where}: Fn::GetAtt of ${JSON.stringify(resource)}, which is no resource`);
      else if (typeof type === 'string' && !RESOURCE_SPECS[type]?.attributes.includes(attribute as string)) problems.push(`${where}: ${type} has no attribute ${JSON.stringify(attribute)}`);
      else used.add(resource);
      return;
    }
    if (only === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, {}];
      if (typeof text !== 'string' || !isObject(vars)) {
        problems.push(`${where}: Fn::Sub takes a string or [string, {variables}]`);
        return;
      }
      for (const variable of subVariables(text)) {
        if (variable in vars) continue;
        const [base, attribute] = variable.split('.', 2) as [string, string | undefined];
        if (attribute !== undefined) checkRefs(where, { 'Fn::GetAtt': [base, attribute] });
        else checkRefs(where, { Ref: base });
      }
      checkRefs(where, vars);
      return;
    }
    if (only === 'Fn::If') {
      const condition = Array.isArray(arg) ? arg[0] : undefined;
      if (!Array.isArray(arg) || arg.length !== 3 || typeof condition !== 'string' || !(condition in conditions)) problems.push(`${where}: Fn::If names no condition (${JSON.stringify(condition)})`);
      checkRefs(where, Array.isArray(arg) ? arg.slice(1) : arg);
      return;
    }
    if (only === 'Condition' && where.startsWith('Conditions.')) {
      if (typeof arg !== 'string' || !(arg in conditions)) problems.push(`${where}: Condition ${JSON.stringify(arg)} is not defined`);
      return;
    }
    for (const [key, v] of Object.entries(value)) checkRefs(`${where}.${key}`, v);
  };

  for (const [name, condition] of Object.entries(conditions)) checkRefs(`Conditions.${name}`, condition);

  for (const [name, resource] of Object.entries(resources)) {
    const where = `Resources.${name}`;
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.includes(key)) problems.push(`${where}: unknown key ${key}`);
    const spec = typeof resource.Type === 'string' ? RESOURCE_SPECS[resource.Type] : undefined;
    if (!spec) {
      problems.push(`${where}: Type ${JSON.stringify(resource.Type)} is not a resource type these templates may use`);
      continue;
    }
    if (resource.Condition !== undefined && (typeof resource.Condition !== 'string' || !(resource.Condition in conditions))) problems.push(`${where}: Condition ${JSON.stringify(resource.Condition)} is not defined`);
    const properties = resource.Properties ?? {};
    for (const key of spec.required) if (!(key in properties)) problems.push(`${where}: required property ${key} is missing`);
    for (const key of Object.keys(properties)) if (!spec.properties.includes(key)) problems.push(`${where}: ${JSON.stringify(resource.Type)} has no property ${key}`);
    checkRefs(`${where}.Properties`, properties);
    if (resource.Type === 'AWS::IAM::Role') problems.push(...checkRole(where, properties));
  }

  for (const [name, output] of Object.entries(outputs)) {
    for (const key of Object.keys(output)) if (!OUTPUT_KEYS.includes(key)) problems.push(`Outputs.${name}: unknown key ${key}`);
    if (!('Value' in output)) problems.push(`Outputs.${name}: no Value`);
    checkRefs(`Outputs.${name}`, output);
  }

  for (const name of Object.keys(parameters)) if (!used.has(name)) problems.push(`Parameters.${name} is never used`);
  return problems;
}

function checkRole(where: string, properties: Record<string, Json>): string[] {
  const problems: string[] = [];
  const duration = properties['MaxSessionDuration'];
  if (typeof duration === 'number' && (duration < 3600 || duration > 43200)) problems.push(`${where}: MaxSessionDuration ${duration} is outside 3600-43200`);
  problems.push(...checkPolicyDocument(`${where}.AssumeRolePolicyDocument`, properties['AssumeRolePolicyDocument']));
  const policies = properties['Policies'] ?? [];
  if (!Array.isArray(policies)) return [...problems, `${where}.Policies must be a list`];
  policies.forEach((policy, i) => {
    if (!isObject(policy) || typeof policy['PolicyName'] !== 'string' || !('PolicyDocument' in policy)) problems.push(`${where}.Policies[${i}]: PolicyName and PolicyDocument are required`);
    else problems.push(...checkPolicyDocument(`${where}.Policies[${i}].PolicyDocument`, policy['PolicyDocument']));
  });
  return problems;
}

function checkPolicyDocument(where: string, doc: Json | undefined): string[] {
  if (!isObject(doc)) return [`${where} must be a policy document`];
  const problems: string[] = [];
  if (doc['Version'] !== '2012-10-17') problems.push(`${where}.Version must be "2012-10-17"`);
  const statements = doc['Statement'];
  if (!Array.isArray(statements) || statements.length === 0) return [...problems, `${where}.Statement must be a non-empty list`];
  statements.forEach((s, i) => {
    if (!isObject(s)) return;
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') problems.push(`${where}.Statement[${i}].Effect must be Allow or Deny`);
    const actions = Array.isArray(s['Action']) ? s['Action'] : [s['Action']];
    for (const action of actions) if (typeof action !== 'string' || !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action)) problems.push(`${where}.Statement[${i}]: ${JSON.stringify(action)} is not an IAM action`);
  });
  return problems;
}

/** Why a value breaks the parameter's constraints (CloudFormation matches AllowedPattern against the whole value), or undefined. */
export function parameterValueProblem(spec: Record<string, Json>, value: string): string | undefined {
  const pattern = spec['AllowedPattern'];
  if (typeof pattern === 'string' && !new RegExp(`^(?:${pattern})$`).test(value)) return `${JSON.stringify(value)} does not match ${pattern}`;
  if (typeof spec['MinLength'] === 'number' && value.length < spec['MinLength']) return `${JSON.stringify(value)} is shorter than ${spec['MinLength']}`;
  if (typeof spec['MaxLength'] === 'number' && value.length > spec['MaxLength']) return `${JSON.stringify(value)} is longer than ${spec['MaxLength']}`;
  if (spec['Type'] === 'Number') {
    const n = Number(value);
    if (!Number.isFinite(n)) return `${JSON.stringify(value)} is not a number`;
    if (typeof spec['MinValue'] === 'number' && n < spec['MinValue']) return `${n} is below ${spec['MinValue']}`;
    if (typeof spec['MaxValue'] === 'number' && n > spec['MaxValue']) return `${n} is above ${spec['MaxValue']}`;
  }
  return undefined;
}

// ---------------------------------------------------------------- evaluation

export interface Deployment {
  /** Parameter values; the rest take their Default. */
  parameters?: Record<string, string>;
  accountId?: string;
  partition?: string;
  region?: string;
}

export interface Evaluated {
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  /** Each resource's properties with every intrinsic function evaluated (conditional resources left out when their condition is false). */
  resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  outputs: Record<string, Json>;
}

/**
 * What a stack of this template would hold for these parameters: parameters
 * checked against their constraints, conditions decided, and Ref, Fn::Sub,
 * Fn::GetAtt, Fn::If, Fn::Equals (and friends) evaluated. A resource's Ref
 * and attributes are the values CloudFormation gives them (a role's Ref is
 * its name, an OIDC provider's its ARN).
 */
export function evaluateTemplate(template: Template, deployment: Deployment = {}): Evaluated {
  const accountId = deployment.accountId ?? '111111111111';
  const partition = deployment.partition ?? 'aws';
  const given = deployment.parameters ?? {};
  const parameters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    const value = given[name] ?? (spec['Default'] === undefined ? undefined : text(spec['Default']));
    if (value === undefined) throw new Error(`parameter ${name} has no Default and no value was given`);
    const bad = parameterValueProblem(spec, value);
    if (bad) throw new Error(`parameter ${name}: ${bad}`);
    parameters[name] = value;
  }
  for (const name of Object.keys(given)) if (!(name in parameters)) throw new Error(`the template has no parameter ${name}`);

  const resources = template.Resources ?? {};
  const pseudo: Record<string, string> = {
    'AWS::AccountId': accountId,
    'AWS::Partition': partition,
    'AWS::Region': deployment.region ?? 'us-east-1',
    'AWS::StackName': 'portolan',
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
  const conditions: Record<string, boolean> = {};

  const resourceRef = (name: string): string => {
    const type = resources[name]?.Type;
    const props = resources[name]?.Properties ?? {};
    if (type === 'AWS::IAM::Role') return text(evaluate(props['RoleName'] ?? name));
    if (type === 'AWS::IAM::OIDCProvider') return `arn:${partition}:iam::${accountId}:oidc-provider/${text(evaluate(props['Url'] ?? '')).replace(/^https:\/\//, '')}`;
    throw new Error(`Ref of ${JSON.stringify(type)} is not modelled`);
  };
  const attribute = (name: string, attr: string): string => {
    const type = resources[name]?.Type;
    if (type === 'AWS::IAM::Role' && attr === 'Arn') return `arn:${partition}:iam::${accountId}:role/${resourceRef(name)}`;
    if (type === 'AWS::IAM::OIDCProvider' && attr === 'Arn') return resourceRef(name);
    throw new Error(`Fn::GetAtt ${name}.${attr} is not modelled`);
  };
  const ref = (name: string): string => {
    if (name in parameters) return parameters[name]!;
    if (name in pseudo) return pseudo[name]!;
    if (name in resources) return resourceRef(name);
    throw new Error(`Ref to unknown ${name}`);
  };
  const condition = (name: string): boolean => {
    if (!(name in conditions)) {
      const spec = template.Conditions?.[name];
      if (spec === undefined) throw new Error(`no condition ${name}`);
      conditions[name] = evaluate(spec) === true;
    }
    return conditions[name]!;
  };

  function evaluate(value: Json): Json {
    if (Array.isArray(value)) return value.map(evaluate);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const fn = keys.length === 1 ? keys[0]! : '';
    const arg = value[fn] as Json;
    switch (fn) {
      case 'Ref':
        return ref(text(arg));
      case 'Fn::GetAtt': {
        const [name, attr] = arg as [string, string];
        return attribute(name, attr);
      }
      case 'Fn::Sub': {
        const [template, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
        return template.replace(/\$\{([^}]*)\}/g, (_all, inner: string) => {
          const name = inner.trim();
          if (name.startsWith('!')) return `\${${name.slice(1)}}`;
          if (name in vars) return text(evaluate(vars[name]!));
          const dot = name.indexOf('.');
          return dot < 0 ? ref(name) : attribute(name.slice(0, dot), name.slice(dot + 1));
        });
      }
      case 'Fn::If': {
        const [name, yes, no] = arg as [string, Json, Json];
        return condition(name) ? evaluate(yes) : evaluate(no);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as Json[]).map(evaluate);
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return evaluate((arg as Json[])[0]!) !== true;
      case 'Fn::And':
        return (arg as Json[]).every((c) => evaluate(c) === true);
      case 'Fn::Or':
        return (arg as Json[]).some((c) => evaluate(c) === true);
      case 'Condition':
        return condition(text(arg));
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json[]];
        return (evaluate(parts) as Json[]).map(text).join(sep);
      }
      default:
        if (fn.startsWith('Fn::')) throw new Error(`${fn} is not modelled`);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v)]));
    }
  }

  for (const name of Object.keys(template.Conditions ?? {})) condition(name);
  const evaluated: Evaluated['resources'] = {};
  for (const [name, resource] of Object.entries(resources)) {
    if (typeof resource.Condition === 'string' && !condition(resource.Condition)) continue;
    evaluated[name] = { Type: text(resource.Type), Properties: evaluate(resource.Properties ?? {}) as Record<string, Json> };
  }
  const outputs: Record<string, Json> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) outputs[name] = evaluate(output['Value'] ?? null);
  return { parameters, conditions, resources: evaluated, outputs };
}

/** The one resource of a type, evaluated. */
export function onlyResource(evaluated: Evaluated, type: string): Record<string, Json> {
  const found = Object.values(evaluated.resources).filter((r) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!.Properties;
}
