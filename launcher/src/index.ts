export * from './start-lab.ts';
export * from './lab-env.ts';
export * from './run-file.ts';
export * from './test-redis.ts';
