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
      /**
       * Seconds an ExposureGrant that matches no active allocation of the portal
       * (same request, Service and address) may stay in a cluster before the
       * reconciler removes it, with a Kubernetes Event and an audit entry. The wait
       * spares a grant another replica has just written. Default: 300.
       */
      unallocatedGrantGraceSeconds?: number;
      /** Adoption of clusters that already run MetalLB (Clusters tab, `npm run adopt`). */
      adoption?: {
        /**
         * Owners of Services that no catalog entity claims through the
         * `backstage.io/kubernetes-id` label or annotation, by namespace; a
         * namespace ending in `*` is a prefix. The first match wins.
         */
        namespaceOwners?: Array<{ namespace: string; owner: string }>;
      };
    };
  };
}
