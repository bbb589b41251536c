/**
 * `mailmon doctor`'s Gmail push checks: with push.topic and push.subscription set, the
 * topic exists, the subscription exists on that topic, it can be pulled (whatever the probe
 * receives is handed back at once), gmail-api-push@system.gserviceaccount.com may publish to the
 * topic, and every mailbox's watch is live. Each failure says exactly what is missing and the
 * gcloud command that adds it.
 */
import { isMailmonError } from '../core/errors.js';
import { watchHealth } from '../core/push.js';
import type { PushInspector } from './ports/pubsub.js';
import type { Storage } from './ports/storage.js';
import type { DoctorCheck } from './doctor.js';

export type { PushInspector } from './ports/pubsub.js';

export const GMAIL_PUSH_MEMBER = 'serviceAccount:gmail-api-push@system.gserviceaccount.com';

export interface PushCheckInput {
  setup: { topic: string; subscription: string } | null;
  inspector: PushInspector | null;
  now: number;
}

const resource = (name: string) => {
  const [, project, , id] = name.split('/');
  return { project, id };
};

export async function pushDoctorChecks(storage: Pick<Storage, 'mailboxes' | 'pushWatches'>, input: PushCheckInput): Promise<DoctorCheck[]> {
  if (!input.setup || !input.inspector) return [{ name: 'push', ok: true, detail: 'off (push.topic and push.subscription unset): mailboxes are polled; see docs/push.md to turn push on' }];
  const { topic, subscription } = input.setup;
  const inspector = input.inspector;
  const t = resource(topic);
  const s = resource(subscription);
  const checks: DoctorCheck[] = [];
  const unreachable = (name: string, error: unknown): DoctorCheck => ({ name, ok: false, detail: (error as Error).message, fix: isMailmonError(error) ? error.hint : 'Check pubsub.api-url and the network.' });
  const refused = (status: number) => status === 401 || status === 403;
  const credentialFix = 'Give the Pub/Sub credentials access: "gcloud auth application-default login" (or push.credentials=mailbox after "mailmon login --push"), with roles/pubsub.viewer and roles/pubsub.subscriber on the project.';

  try {
    const answer = await inspector.get(topic);
    checks.push(answer.status === 200
      ? { name: 'push topic', ok: true, detail: topic }
      : answer.status === 404
      ? { name: 'push topic', ok: false, detail: `the topic ${topic} does not exist`, fix: `gcloud pubsub topics create ${t.id} --project ${t.project}` }
      : { name: 'push topic', ok: false, detail: `reading ${topic} answered ${answer.status}: ${answer.data.error?.message ?? ''}`.trim(), fix: refused(answer.status) ? credentialFix : undefined });
  } catch (error) {
    return [unreachable('push topic', error)];
  }

  let subscriptionOk = false;
  try {
    const answer = await inspector.get(subscription);
    if (answer.status === 200 && answer.data.topic !== topic) {
      checks.push({ name: 'push subscription', ok: false, detail: `${subscription} is on topic ${answer.data.topic ?? '(none)'}, not ${topic}`, fix: `gcloud pubsub subscriptions delete ${s.id} --project ${s.project} && gcloud pubsub subscriptions create ${s.id} --topic ${topic} --project ${s.project}` });
    } else if (answer.status === 200) {
      subscriptionOk = true;
      checks.push({ name: 'push subscription', ok: true, detail: `${subscription} on ${topic}` });
    } else if (answer.status === 404) {
      checks.push({ name: 'push subscription', ok: false, detail: `the subscription ${subscription} does not exist`, fix: `gcloud pubsub subscriptions create ${s.id} --topic ${topic} --project ${s.project}` });
    } else {
      checks.push({ name: 'push subscription', ok: false, detail: `reading ${subscription} answered ${answer.status}: ${answer.data.error?.message ?? ''}`.trim(), fix: refused(answer.status) ? credentialFix : undefined });
    }
  } catch (error) {
    checks.push(unreachable('push subscription', error));
  }

  if (subscriptionOk) {
    try {
      const received = await inspector.probe();
      checks.push({ name: 'push pull', ok: true, detail: `pulled ${subscription} (${received} message(s) waiting, handed back)` });
    } catch (error) {
      checks.push(unreachable('push pull', error));
    }
  }

  const watches = await storage.pushWatches.list();
  const mailboxes = new Map((await storage.mailboxes.list()).map((mailbox) => [mailbox.id, mailbox.emailAddress]));
  const policy = await inspector.topicPolicy(topic).catch(() => null);
  if (policy?.status === 200) {
    const granted = (policy.data.bindings ?? []).some((binding) => (binding.role === 'roles/pubsub.publisher' || binding.role === 'roles/owner' || binding.role === 'roles/editor') && (binding.members ?? []).includes(GMAIL_PUSH_MEMBER));
    checks.push(granted
      ? { name: 'push IAM grant', ok: true, detail: `${GMAIL_PUSH_MEMBER} may publish to ${topic}` }
      : { name: 'push IAM grant', ok: false, detail: `${GMAIL_PUSH_MEMBER} is not granted the Pub/Sub Publisher role on ${topic}, so Gmail cannot publish notifications`, fix: iamFix(topic) });
  } else {
    // The policy cannot be read with these credentials: Gmail accepting a watch on the topic proves the grant.
    const forbidden = watches.find((watch) => watch.state === 'failed' && /403|permission|not authorized/i.test(watch.error ?? ''));
    const accepted = watches.some((watch) => watch.state === 'active' && watch.topic === topic);
    checks.push(forbidden
      ? { name: 'push IAM grant', ok: false, detail: `Gmail may not publish to ${topic}: ${forbidden.error}`, fix: iamFix(topic) }
      : accepted
      ? { name: 'push IAM grant', ok: true, detail: `Gmail accepted a watch on ${topic} (the topic's IAM policy is not readable with these credentials)` }
      : { name: 'push IAM grant', ok: true, detail: `not checked: the topic's IAM policy is not readable and no watch ran yet; make sure of it with: ${iamFix(topic)}` });
  }

  for (const watch of watches) {
    const health = watchHealth(watch, input.now);
    if (health === 'stopped') continue;
    const address = mailboxes.get(watch.mailboxId) ?? watch.mailboxId;
    checks.push(health === 'active' || health === 'expiring'
      ? { name: `push watch ${address}`, ok: true, detail: `${health} until ${new Date(watch.expiration ?? 0).toISOString()}` }
      : { name: `push watch ${address}`, ok: false, detail: health === 'failed' ? `users.watch failed: ${watch.error}` : 'expired: the daemon renews it when running', fix: health === 'failed' ? 'Fix the cause above; the daemon retries every 10 minutes (or restart it). Meanwhile the mailbox is polled at the normal interval.' : 'Start the daemon: "mailmon daemon start".' });
  }
  return checks;
}

function iamFix(topic: string): string {
  const t = resource(topic);
  return `gcloud pubsub topics add-iam-policy-binding ${t.id} --project ${t.project} --member=${GMAIL_PUSH_MEMBER} --role=roles/pubsub.publisher`;
}
