import { LocalEventBus, LocalTaskQueue } from '@baton/core';
import { eventBusContract } from './event-bus-contract.js';
import { taskQueueContract } from './task-queue-contract.js';

// The in-process adapters of embedded mode live in core; their contracts live here with the others.
taskQueueContract('LocalTaskQueue', (limits) => new LocalTaskQueue(limits));
eventBusContract('LocalEventBus', (onListenerError) => new LocalEventBus({ onListenerError }));
