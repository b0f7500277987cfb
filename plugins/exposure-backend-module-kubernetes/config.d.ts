export interface Config {
  /**
   * Clusters are read from the Backstage Kubernetes plugin's own configuration
   * (`kubernetes.clusterLocatorMethods` entries of `type: config`), so nobody
   * configures a cluster twice. Only the `serviceAccount` auth provider is used.
   */
  kubernetes?: {
    clusterLocatorMethods?: Array<{
      type: string;
      clusters?: Array<{
        name: string;
        url: string;
        authProvider?: string;
        /** @visibility secret */
        serviceAccountToken?: string;
        caData?: string;
        skipTLSVerify?: boolean;
        skipMetricsLookup?: boolean;
      }>;
    }>;
  };
  exposure?: {
    /** How Portico writes desired state into clusters. */
    kubernetes?: {
      /** Namespace of the MetalLB objects Portico renders. Default: metallb-system. */
      metallbNamespace?: string;
      /** Seconds between full reconciliations of each cluster. Default: 15. */
      intervalSeconds?: number;
      /** Longest wait between retries of a cluster that is down. Default: 60. */
      maxBackoffSeconds?: number;
    };
  };
}
