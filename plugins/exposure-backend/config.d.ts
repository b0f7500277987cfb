export interface Config {
  /**
   * Portico exposure: the network team's segments and the platform team's
   * intent pools carved out of them. Validated at startup; a bad key stops the
   * backend with its path and the reason.
   */
  exposure?: {
    /** Network segments (VLANs / subnets) owned by the network team. */
    segments?: Array<{
      /** Unique name, lowercase letters, digits and "-". */
      name: string;
      /** Free text shown in the portal. */
      description?: string;
      /** CIDRs of the segment, IPv4 and/or IPv6; every pool range must lie in one. */
      cidrs: string[];
      /** VLAN id (1-4094). */
      vlan?: number;
      /** Advertisement modes allowed on the segment: `l2`, `bgp`. Default `[l2]`. */
      modes?: Array<'l2' | 'bgp'>;
      /** BGP peers the nodes on this segment peer with. */
      bgpPeers?: Array<{
        /** Peer address. */
        address: string;
        /** Peer ASN (4-octet allowed, RFC 6793). */
        asn: number;
        /** ASN the nodes use towards this peer. */
        localAsn: number;
        /** TCP port, default 179. */
        port?: number;
        /** Hold time in seconds, default 90. */
        holdTime?: number;
        /**
         * TCP MD5 password of the session.
         * @visibility secret
         */
        password?: string;
        /** Only nodes with these labels peer. */
        nodeSelector?: { [label: string]: string };
      }>;
      /** Ranges, CIDRs or addresses never allocated (gateways, legacy load balancers). */
      reserved?: string[];
      /** Names of the Kubernetes clusters attached to this segment. */
      clusters?: string[];
    }>;
    /** Intent pools owned by the platform team, each inside one segment. */
    pools?: Array<{
      /** Unique name; also the MetalLB IPAddressPool name. */
      name: string;
      /** Free text shown in the portal. */
      description?: string;
      /** Name of the segment the pool is carved from. */
      segment: string;
      /** What the addresses are for; a pool has exactly one intent. */
      intent: 'production-external' | 'internal' | 'temporary' | 'management';
      /** Ranges `a-b`, CIDRs or single addresses, of one family per range; pools never overlap. */
      addresses: string[];
      /** How the addresses are announced. Default `{ type: l2 }`. */
      advertisement?:
        | {
            type: 'l2';
            /** Interfaces to answer ARP/NDP on; all when empty. */
            interfaces?: string[];
            /** Only nodes with these labels announce. */
            nodeSelector?: { [label: string]: string };
          }
        | {
            type: 'bgp';
            /** Communities `ASN:VALUE` (RFC 1997). */
            communities?: string[];
            /** Large communities `GLOBAL:LOCAL1:LOCAL2` (RFC 8092). */
            largeCommunities?: string[];
            /** LOCAL_PREF attribute for iBGP peers. */
            localPreference?: number;
            /** Prefix length IPv4 routes are aggregated to (default 32). */
            aggregationLength?: number;
            /** Prefix length IPv6 routes are aggregated to (default 128). */
            aggregationLengthV6?: number;
            /** Only nodes with these labels announce. */
            nodeSelector?: { [label: string]: string };
          };
      /** Who may use the pool, and how. */
      policy?: {
        /** Groups allowed to request (`team-a` or `group:default/team-a`); everyone when empty. */
        owners?: string[];
        /** Kubernetes namespaces allowed; all when empty. */
        namespaces?: string[];
        /** `required`: a platform admin approves each request; `automatic`: granted when the guardrails allow. Default `required`. */
        approval?: 'required' | 'automatic';
        /** Longest lifetime of an exposure, in hours; mandatory for `temporary` pools. */
        maxLifetimeHours?: number;
        /** Ports or port ranges (`8000-8100`) allowed; all when empty. */
        ports?: Array<number | string>;
        /** Protocols allowed. Default `[TCP, UDP]`. */
        protocols?: Array<'TCP' | 'UDP' | 'SCTP'>;
        /** Most requests one group may hold or have pending in the pool. */
        quotaPerTeam?: number;
        /** Whether Services of one owner may share an address (on different ports). Default false. */
        allowSharing?: boolean;
        /** Skip IPv4 addresses ending in .0 and .255 (buggy clients). Default false. */
        avoidEdgeAddresses?: boolean;
      };
    }>;
    /** The expiry task that ends temporary exposures. */
    expiry?: {
      /** How often to look for expired exposures, in seconds. Default 60. */
      intervalSeconds?: number;
      /**
       * Longest lifetime any request may ask for, in days, whatever its pool.
       * Default 3650.
       */
      maxLifetimeDays?: number;
    };
  };
}
