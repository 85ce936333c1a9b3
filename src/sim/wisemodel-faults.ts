// The ways the simulated WiseModel can differ from what hubwatch expects, for `hubwatch probe --platform wisemodel`
// and the source's degraded paths. The default (every switch off) is WiseModel as the evidence shows it: a
// client-rendered site, an open GitLab v4 API beside it, and a JWT-guarded gateway (research note §B, §E).

export interface WmDrift {
  /**
   * The GitLab API: `closed` answers the projects list with 403 while single projects still answer (the SDK's
   * evidenced call); `absent` answers every /api/v4 path with the site's 404 page (no GitLab behind this host).
   */
  gitlab?: 'closed' | 'absent';
  /** The projects list refuses `pagination=keyset` with GitLab's 405 (an instance with the feature off). */
  keysetRefused?: boolean;
  /** Keyset `Link` headers name this origin (GitLab's configured host behind a proxy), e.g. `http://gitlab.internal`. */
  linkOrigin?: string;
  /** A project field left out of every list item. */
  dropField?: 'star_count' | 'created_at' | 'last_activity_at' | 'topics';
  /** `created_at` and `last_activity_at` written without a zone (`2024-05-07 12:27:17`). */
  zonelessTimes?: boolean;
  /** The gateway: `absent` answers /gateway/* with the site's 404 page; `envelope` changes its envelope's keys. */
  gateway?: 'absent' | 'envelope';
  /** Gateway tokens issued before this instant (epoch ms) answer `B2002` (token expired). */
  revokeTokensBefore?: number;
  /**
   * Datasets carry the topic `dataset`. The evidence gives no mark that tells a dataset from a model on GitLab
   * (both are `{owner}/{name}`); this stand-in mark exists only to test the configurable kind rules.
   */
  datasetTopic?: boolean;
}
