import type { Route } from '../collector-app.js';
import { aggregateRoute } from './aggregate.js';
import { explorerRoutes } from './explorer.js';
import { healthRoute, readyRoute } from './health.js';
import { metricsRoute } from './metrics.js';
import { recordsRoute } from './records.js';
import { agentsRoute, dailyRoute, sessionDetailRoute, sessionsRoute, usersRoute } from './summaries.js';
import { topRoute } from './top.js';
import { tracesRoute } from './traces.js';

/** Every route the collector serves; docs/collector.md describes each. */
export const ROUTES: readonly Route[] = [
  tracesRoute,
  healthRoute,
  readyRoute,
  metricsRoute,
  recordsRoute,
  aggregateRoute,
  topRoute,
  usersRoute,
  agentsRoute,
  sessionsRoute,
  sessionDetailRoute,
  dailyRoute,
  ...explorerRoutes,
];
