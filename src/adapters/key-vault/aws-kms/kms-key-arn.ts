// What a KMS key reference must look like, kept apart from the SDK so the config loader
// can validate PAYMENT_KMS_KEY_ARN without loading the KMS client.

/** A KMS key or alias ARN in any partition; envelopes name the key ARN KMS answered with. */
export const kmsKeyArnPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;
