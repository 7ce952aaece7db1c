// What GetRegions says about a region: real display names for the regions
// Lightsail has, a plain description for any other name.

export interface RegionFacts {
  continentCode: string;
  displayName: string;
  description: string;
}

const KNOWN_REGIONS = new Map<string, RegionFacts>([
  ['us-east-1', { continentCode: 'NA', displayName: 'Virginia', description: 'This region is recommended to serve users in the eastern United States' }],
  ['us-east-2', { continentCode: 'NA', displayName: 'Ohio', description: 'This region is recommended to serve users in the eastern United States' }],
  ['us-west-2', { continentCode: 'NA', displayName: 'Oregon', description: 'This region is recommended to serve users in the northwestern United States, Alaska, and western Canada' }],
  ['ca-central-1', { continentCode: 'NA', displayName: 'Montreal', description: 'This region is recommended to serve users in Canada' }],
  ['eu-west-1', { continentCode: 'EU', displayName: 'Ireland', description: 'This region is recommended to serve users in Ireland, the United Kingdom, and Iceland' }],
  ['eu-west-2', { continentCode: 'EU', displayName: 'London', description: 'This region is recommended to serve users in the United Kingdom and northern Europe' }],
  ['eu-west-3', { continentCode: 'EU', displayName: 'Paris', description: 'This region is recommended to serve users in France and western Europe' }],
  ['eu-central-1', { continentCode: 'EU', displayName: 'Frankfurt', description: 'This region is recommended to serve users in Germany, central Europe, and eastern Europe' }],
  ['eu-north-1', { continentCode: 'EU', displayName: 'Stockholm', description: 'This region is recommended to serve users in Scandinavia and northern Europe' }],
  ['ap-south-1', { continentCode: 'AP', displayName: 'Mumbai', description: 'This region is recommended to serve users in India and Sri Lanka' }],
  ['ap-northeast-1', { continentCode: 'AP', displayName: 'Tokyo', description: 'This region is recommended to serve users in Japan' }],
  ['ap-northeast-2', { continentCode: 'AP', displayName: 'Seoul', description: 'This region is recommended to serve users in South Korea' }],
  ['ap-southeast-1', { continentCode: 'AP', displayName: 'Singapore', description: 'This region is recommended to serve users in Southeast Asia' }],
  ['ap-southeast-2', { continentCode: 'AP', displayName: 'Sydney', description: 'This region is recommended to serve users in Australia and New Zealand' }],
  ['ap-southeast-3', { continentCode: 'AP', displayName: 'Jakarta', description: 'This region is recommended to serve users in Indonesia' }],
  ['ap-southeast-5', { continentCode: 'AP', displayName: 'Malaysia', description: 'This region is recommended to serve users in Malaysia' }],
]);

const CONTINENT_BY_PREFIX = new Map([
  ['us', 'NA'],
  ['ca', 'NA'],
  ['eu', 'EU'],
  ['ap', 'AP'],
  ['sa', 'SA'],
  ['af', 'AF'],
  ['me', 'ME'],
]);

// Lookups go through Maps: a region named "constructor" or "__proto__" is just an unknown name.
export function regionFacts(name: string): RegionFacts {
  const known = KNOWN_REGIONS.get(name);
  if (known) return known;
  const continentCode = CONTINENT_BY_PREFIX.get(name.split('-')[0] ?? '') ?? 'NA';
  return { continentCode, displayName: name, description: `Region ${name}` };
}
