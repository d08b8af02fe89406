/** User settings that keep the workbench quiet and offline for tests and the demo. */

/** Written into the profile's User/settings.json (over what is there). */
export const QUIET_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  // VS Code in a browser saves after a 1 s delay by default; desktop VS Code does not. Off, as on the
  // desktop: the editor tests check dirty state, undo and revert, which an auto-save would race.
  'files.autoSave': 'off',
};
