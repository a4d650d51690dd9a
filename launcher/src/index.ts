export * from './start-lab.ts';
export * from './lab-env.ts';
