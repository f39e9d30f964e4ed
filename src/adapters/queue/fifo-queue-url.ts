// What an SQS FIFO queue URL looks like, apart from the adapter so the configuration can
// check it without loading the AWS SDK. A FIFO queue's name ends in `.fifo`; anything
// else would silently drop the ordering.
export const fifoQueueUrlPattern = /^https?:\/\/[^\s/]+(\/[^\s/]+)*\/[A-Za-z0-9_-]{1,75}\.fifo$/;
