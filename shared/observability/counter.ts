/**
 * Counts events worth a metric and an alarm (e.g. a refresh token close to expiry, an answer with elements the
 * schema lacks). In Lambda each count becomes a CloudWatch metric through Powertools Metrics; elsewhere it may
 * go nowhere. Names are CamelCase and carry no company, supplier or traveler: dimensions stay few.
 */
export type CountEvent = (name: string, value?: number) => void;

export const countNothing: CountEvent = () => undefined;
