export interface Config {
  auth?: {
    providers?: {
      /** The demo sign-in provider: pick one of these users on the sign-in page. */
      demo?: {
        /** @visibility frontend */
        users: Array<{
          /** @visibility frontend */
          userEntityRef: string;
          /** What this user does in the demo, shown under the name. @visibility frontend */
          description?: string;
        }>;
        dangerouslyAllowOutsideDevelopment?: boolean;
      };
    };
  };
}
