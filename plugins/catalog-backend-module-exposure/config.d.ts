export interface Config {
  portico?: {
    /**
     * The platform team's group: owner of the `ip-pool` Resources, e.g.
     * group:default/platform-team.
     */
    platformAdminGroup?: string;
    /** The catalog entity provider of exposure pools and VIPs. */
    catalogProvider?: {
      /**
       * Seconds between two whole reads of the exposure API; default 30.
       * Announced changes reach the catalog at once; this read heals
       * anything an announcement missed.
       */
      refreshSeconds?: number;
      /**
       * Minutes between two full mutations (which also heal any drift);
       * between them only changes are sent. Default 10.
       */
      fullSyncMinutes?: number;
    };
  };
}
