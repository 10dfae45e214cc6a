/** Bad configuration: the message names the option, the bad value and the valid ones. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
