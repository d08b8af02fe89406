/**
 * Cloud API keys in VS Code's SecretStorage (the OS keychain), never in settings, files or logs.
 * "Tagbench: Set API Key" stores one; "Tagbench: Clear API Key" removes it. Only a masked form
 * (`sk-a***xyz9`) is ever shown.
 */
import * as vscode from 'vscode';
import { cloudConfig } from '../../core/annotate/cloud/cloudConfig.ts';
import type { CloudProvider, CloudProviderId } from '../../core/annotate/cloud/cloudConfig.ts';
import { maskKey } from '../../core/annotate/cloud/cloudErrors.ts';

const secretName = (provider: CloudProviderId): string => `tagbench.apiKey.${provider}`;

/** The stored keys, by provider. */
export class ApiKeys {
  private readonly secrets: vscode.SecretStorage;

  constructor(secrets: vscode.SecretStorage) {
    this.secrets = secrets;
  }

  /** The key of a provider, if one is stored. */
  async get(provider: CloudProviderId): Promise<string | undefined> {
    return (await this.secrets.get(secretName(provider))) || undefined;
  }

  /** Stores a provider's key. */
  async set(provider: CloudProviderId, key: string): Promise<void> {
    await this.secrets.store(secretName(provider), key.trim());
  }

  /** Removes a provider's key. */
  async clear(provider: CloudProviderId): Promise<void> {
    await this.secrets.delete(secretName(provider));
  }

  /** Providers that can be used now: a key is stored, or the provider needs none (a local server). */
  async usable(): Promise<CloudProvider[]> {
    const providers = cloudConfig().providers;
    const keys = await Promise.all(providers.map((p) => this.get(p.id)));
    return providers.filter((p, i) => p.keyOptional || keys[i] !== undefined);
  }
}

/** Registers "Set API Key" and "Clear API Key". */
export function registerApiKeyCommands(context: vscode.ExtensionContext, keys: ApiKeys): void {
  const pickProvider = async (title: string, onlyStored: boolean): Promise<CloudProvider | undefined> => {
    const providers = cloudConfig().providers.filter((p) => !p.keyOptional || p.id === 'openai-compatible');
    const stored = await Promise.all(providers.map((p) => keys.get(p.id)));
    const items = providers
      .map((p, i) => ({
        label: p.label,
        description: stored[i] ? `key set: ${maskKey(stored[i])}` : 'no key',
        provider: p,
        has: stored[i] !== undefined,
      }))
      .filter((item) => !onlyStored || item.has);
    if (items.length === 0) {
      void vscode.window.showInformationMessage('Tagbench: no API keys are stored.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title }))?.provider;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('tagbench.setApiKey', async () => {
      const provider = await pickProvider('Set the API key of which provider?', false);
      if (!provider) return;
      const key = await vscode.window.showInputBox({
        title: `${provider.label} API key`,
        prompt: `Stored in VS Code's secret storage, never in settings or files. The CLI reads ${provider.keyEnv} instead.`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) =>
          v.trim().length >= 8 || provider.keyOptional ? undefined : 'That is too short to be an API key.',
      });
      if (key === undefined) return;
      await keys.set(provider.id, key);
      void vscode.window.showInformationMessage(`Tagbench: ${provider.label} key ${maskKey(key.trim())} stored.`);
    }),
    vscode.commands.registerCommand('tagbench.clearApiKey', async () => {
      const provider = await pickProvider('Clear the API key of which provider?', true);
      if (!provider) return;
      await keys.clear(provider.id);
      void vscode.window.showInformationMessage(`Tagbench: ${provider.label} key removed.`);
    }),
  );
}
