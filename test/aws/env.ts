// Dummy credentials and no config files: tests never reach a real AWS account.
export function useOfflineAwsEnv(): void {
  process.env['AWS_ACCESS_KEY_ID'] = 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
  process.env['AWS_CONFIG_FILE'] = '/dev/null';
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/dev/null';
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  delete process.env['AWS_PROFILE'];
  delete process.env['AWS_ENDPOINT_URL'];
  delete process.env['AWS_ENDPOINT_URL_LIGHTSAIL'];
}

export const dummyCredentials = () => Promise.resolve({ accessKeyId: 'test', secretAccessKey: 'test' });
