/** Largest model (or other blob) a node accepts over its API or from a requester. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024
/** Largest task input or output a node sends or accepts. */
export const MAX_TASK_BYTES = 64 * 1024 * 1024
