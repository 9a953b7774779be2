/**
 * The runtime module: OCI runtime specs (runc/Docker defaults plus one small option function
 * per run flag, checked against `runc features`), bundles, and containers run by runc under
 * conmon — create/start/kill/pause/delete, exec, attach, resize, exit detection via conmon's
 * exit dir. Knows nothing about images: it is given an already mounted rootfs.
 */
export type {
  RuntimeSpec, ProcessSpec, UserSpec, MountSpec, NamespaceSpec, LinuxSpec, ResourcesSpec, RlimitSpec,
  CapabilitiesSpec, SeccompSpec, SeccompSyscallSpec,
} from './runtime-spec.js';
export { OCI_RUNTIME_SPEC_VERSION } from './runtime-spec.js';
export {
  defaultSpec, checkContainerId, DEFAULT_PATH_ENV, DEFAULT_CGROUP_PARENT, DEFAULT_NOFILE, DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS, type SpecInput,
} from './spec-defaults.js';
export {
  withArgs, withEnv, withCwd, withUser, withHostname, withTerminal, withReadonlyRootfs, withBindMount, withTmpfs,
  withEtcFiles, withNetwork, withMemory, withCpus, withCpuShares, withPidsLimit, withCgroupsPath, withInit,
  withAnnotations, withLabels, withStopSignal, withNoNewPrivileges, withRlimits, withCapabilities, withSysctls,
  withSeccomp, withConsoleSize, mergeEnv, STOP_SIGNAL_ANNOTATION, INIT_PATH_IN_CONTAINER, DEFAULT_INIT_BINARY,
  type SpecOption, type SpecContext, type SeccompChoice, type BindMountRequest, type Propagation, type EtcFiles,
  type NetworkMode, type MemoryLimits,
} from './spec-options.js';
export { buildSpec, type HostFacts } from './spec-builder.js';
export { DEFAULT_CAPABILITIES, normalizeCapability, hostBoundingCapabilities } from './capabilities.js';
export { capRlimits, currentHardLimits, parseProcLimits, rlimitType, type HardLimits } from './rlimits.js';
export {
  DEFAULT_SECCOMP_PROFILE_PATH, loadSeccompProfile, parseSeccompProfile, resolveSeccompProfile, nativeSeccompArch,
  type SeccompProfile, type SeccompTarget,
} from './seccomp-profile.js';
export { resolveUser, resolveUserFromFiles, readFileInRoot, type ResolvedUser } from './user-lookup.js';
export { normalizeSignal, type Signal } from './signals.js';
export {
  runtimeFeaturesSchema, parseRuntimeFeatures, loadRuntimeFeatures, specFeatureProblems, checkSpecFeatures,
  type RuntimeFeatures, type FeatureCheckOptions,
} from './runtime-features.js';
export { findOciRuntime, findConmon, findBinary, type BinaryInfo, type OciRuntimeName } from './runtime-binary.js';
export { writeBundle, readBundleConfig, BUNDLE_CONFIG, type BundleConfig } from './bundle.js';
export { OciRuntimeError, commandErrorExitCode, runtimeErrorText } from './runtime-errors.js';
export { runcStateSchema, type RuncState } from './runc-cli.js';
export { RunPaths } from './run-paths.js';
export { AttachSession, type AttachOptions } from './attach-session.js';
export { ExitWatcher, readExitFile, type ExitRecord } from './exit-watcher.js';
export { type ExecOptions, type ExecSession } from './exec-session.js';
export {
  ConmonRuntime, type ConmonRuntimeOptions, type CreateOptions, type CreatedContainer, type ExitInfo, type TerminalSize,
} from './conmon-runtime.js';
export { parseLogLine, readLogEntries, readLogStreams, type LogEntry } from './k8s-log.js';
