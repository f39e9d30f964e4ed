// Wraps the notification channels so every send attempt is counted by channel, audience
// and outcome (T4); the delivery job itself stays unaware of metrics.
import type { Audience, NotificationChannel, NotificationRouting } from '../../app/ports/notification-channel.ts';
import type { PrometheusMetrics } from './prometheus-metrics.ts';

function instrumentChannel(channel: NotificationChannel, audience: Audience, metrics: PrometheusMetrics): NotificationChannel {
  const labels = { channel: channel.name, audience };
  return {
    name: channel.name,
    async send(delivery, signal) {
      try {
        const result = await channel.send(delivery, signal);
        metrics.notifications.inc({ ...labels, outcome: result.ok ? 'delivered' : result.retryable ? 'retryable_failure' : 'refused' });
        return result;
      } catch (error) {
        metrics.notifications.inc({ ...labels, outcome: 'error' });
        throw error;
      }
    },
  };
}

export function instrumentRouting(routing: NotificationRouting, metrics: PrometheusMetrics): NotificationRouting {
  return {
    ...routing,
    customer: instrumentChannel(routing.customer, 'customer', metrics),
    operations: instrumentChannel(routing.operations, 'operations', metrics),
  };
}
