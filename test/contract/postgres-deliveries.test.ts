/** The endpoints and delivery-queue contract suites against PostgreSQL. */
import { pgDeliveryFactory } from '../support/pg-delivery-store.js';
import { deliveryQueueContract } from './delivery-queue.js';
import { endpointsContract } from './endpoints.js';

endpointsContract(pgDeliveryFactory);
deliveryQueueContract(pgDeliveryFactory);
