/** The ports of the lab started for the tests: not the defaults, so `npm start` can keep running. */
export const TEST_PORTS = {
  SPA_PORT: '15173',
  BFF_PORT: '13000',
  API_PORT: '14001',
  AUTHSERVER_PORT: '14000',
  ATTACKER_PORT: '16660',
} as const;
