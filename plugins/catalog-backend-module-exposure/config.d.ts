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
       * Seconds between two reads of the exposure API; default 3, so a new
       * VIP is in the catalog within seconds.
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
