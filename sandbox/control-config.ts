import type { Request, Response } from 'express';
import type { SandboxContext } from './context';
import { ConfigBody } from './control-schemas';
import { configSnapshot } from './control-snapshots';
import { parseBody } from './control-util';
import { sendJson } from './http-util';

/** `POST /_sandbox/config`: changes only the settings given; answers the whole config. */
export function setConfig(ctx: SandboxContext, req: Request, res: Response): void {
  const body = parseBody(ConfigBody, req, res);
  if (!body.ok) return;
  const s = ctx.state.settings;
  const d = body.data;
  if (d.accessTokenTtlSeconds !== undefined) s.accessTokenTtlSeconds = d.accessTokenTtlSeconds;
  if (d.grantScopes !== undefined) {
    // Only new grants get these; tokens already issued keep the scopes they were issued with.
    const list = typeof d.grantScopes === 'string' ? d.grantScopes.split(/\s+/) : d.grantScopes;
    s.grantScopes = [...new Set(list.filter((x) => x !== ''))];
  }
  if (d.webhookUrl !== undefined) s.webhookUrl = d.webhookUrl ?? undefined;
  if (d.webhookSecretToken !== undefined) s.webhookSecretToken = d.webhookSecretToken ?? undefined;
  if (d.appName !== undefined) s.appName = d.appName;
  if (d.webhookRetry?.scale !== undefined) s.webhookRetry.scale = d.webhookRetry.scale;
  if (d.webhookRetry?.timestamp !== undefined) s.webhookRetry.timestamp = d.webhookRetry.timestamp;
  if (d.webhookDrop !== undefined) s.webhookDrop = d.webhookDrop;
  if (d.missingScopeAnswer?.status !== undefined) {
    s.missingScopeAnswer.status = d.missingScopeAnswer.status;
  }
  if (d.missingScopeAnswer?.code !== undefined)
    s.missingScopeAnswer.code = d.missingScopeAnswer.code;
  if (d.unknownAssistantDelete !== undefined) s.unknownAssistantDelete = d.unknownAssistantDelete;
  if (d.unknownSchedulerDelete !== undefined) s.unknownSchedulerDelete = d.unknownSchedulerDelete;
  if (d.paidAccount !== undefined) s.paidAccount = d.paidAccount;
  if (d.dailyLimits?.Light !== undefined) s.dailyLimits.Light = d.dailyLimits.Light;
  if (d.dailyLimits?.Medium !== undefined) s.dailyLimits.Medium = d.dailyLimits.Medium;
  if (d.addAssistantsIgnored !== undefined) s.addAssistantsIgnored = d.addAssistantsIgnored;
  if (d.addAssistantsBatchRefused !== undefined) {
    s.addAssistantsBatchRefused = d.addAssistantsBatchRefused;
  }
  if (d.latencyMs !== undefined) s.latencyMs = d.latencyMs;
  if (d.userLatencyMs !== undefined) s.userLatencyMs = { ...d.userLatencyMs };
  sendJson(res, 200, configSnapshot(ctx.state));
}
