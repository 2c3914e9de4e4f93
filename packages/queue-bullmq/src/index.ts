export { RedisEventBus, type RedisEventBusOptions } from './redis-event-bus.js';
export { BullmqWorkQueue, type BullmqWorkQueueOptions, type WorkerTuning } from './bullmq-work-queue.js';
export {
  type WorkQueue,
  type WorkHandler,
  type ConsumeOptions,
  type StopConsuming,
  type WorkFailure,
} from './work-queue.js';
export {
  BULLMQ_MAX_PRIORITY,
  bullmqPriority,
  poolQueueName,
  taskKeyOfJobId,
  workJobId,
  type WorkSignal,
} from './work-signal.js';
export { type RedisConnection } from './redis-client.js';
