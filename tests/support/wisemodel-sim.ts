// hubwatch's WiseModel settings for the simulator's stand-ins, as an operator would write them for the real site
// (`sources.wisemodel.gateway.downloads`, `sources.wisemodel.gitlab.kinds`): no real downloads endpoint or dataset
// mark is known, so every test that reads the simulator's configures them the same way (src/sim/wisemodel-gateway.ts).
import { WM_SIM_DOWNLOADS_PATH, WM_SIM_PASSWORD, WM_SIM_USER } from '../../src/sim/wisemodel-gateway.js';

/** The simulator's one account, as WISEMODEL_TOKEN takes it for hubwatch to log in itself. */
export const WM_SIM_LOGIN = `${WM_SIM_USER}:${WM_SIM_PASSWORD}`;

/** Where the stand-in downloads endpoint keeps its items, total, ids and counts. */
export const WM_SIM_DOWNLOADS = {
  path: WM_SIM_DOWNLOADS_PATH,
  itemsPath: 'data.list',
  totalPath: 'data.total',
  idField: 'project_path',
  downloadsField: 'download_count',
};

/** Code repositories by their `codes/` path; datasets by the simulator's stand-in topic (SimFaults.wmDrift.datasetTopic). */
export const WM_SIM_KINDS = [
  { kind: 'codes', pathPrefix: 'codes/' },
  { kind: 'datasets', topic: 'dataset' },
];
