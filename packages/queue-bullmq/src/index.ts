export { RedisEventBus, type RedisEventBusOptions } from './redis-event-bus.js';
export { BullmqWorkQueue, type BullmqWorkQueueOptions, type WorkerTuning } from './bullmq-work-queue.js';
export { RedisNudges, type RedisNudgesOptions } from './redis-nudges.js';
export {
  BULLMQ_MAX_PRIORITY,
  bullmqPriority,
  poolQueueName,
  taskKeyOfJobId,
  workJobId,
} from './work-signal.js';
export { type RedisConnection } from './redis-client.js';
