/** A certificate (Microsoft's client certificate, or Devo's) this close to its end makes status warn. */
export const EXPIRY_WARNING_DAYS = 30;
