import { Option, type Command } from 'commander';
import type { MethodInput } from '../../api/contract';
import { UsageError, print, withClient } from '../common';
import { vmDetails } from '../output';

/**
 * `hangar vm set NAME`: change a stopped VM's firmware settings — TPM 2.0, Secure Boot, firmware
 * and machine type (the CLI side of the Settings tab). Flags that are not given stay as they are.
 */
export function registerVmSetCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) return;
  vm.command('set <name>')
    .description('Change a stopped machine: TPM 2.0, Secure Boot, firmware, machine type.')
    .option('--tpm', 'add an emulated TPM 2.0 (swtpm)')
    .option('--no-tpm', 'remove the TPM (its state stays in the VM folder)')
    .option('--secure-boot', "turn UEFI Secure Boot on (Microsoft's keys; needs UEFI and q35)")
    .option('--no-secure-boot', 'turn Secure Boot off')
    .addOption(new Option('--firmware <fw>', 'firmware').choices(['bios', 'uefi']))
    .addOption(new Option('--machine <type>', 'machine type').choices(['q35', 'pc']))
    .option('--json', 'print JSON')
    .action(async (name: string, o: { tpm?: boolean; secureBoot?: boolean; firmware?: 'bios' | 'uefi'; machine?: 'q35' | 'pc'; json?: boolean }) => {
      const input: MethodInput<'vm.update'> = {
        vm: name,
        ...(o.tpm !== undefined && { tpm: o.tpm }),
        ...(o.secureBoot !== undefined && { secureBoot: o.secureBoot }),
        ...(o.firmware !== undefined && { firmware: o.firmware }),
        ...(o.machine !== undefined && { machine: o.machine }),
      };
      if (Object.keys(input).length === 1) throw new UsageError('Nothing to change: give --tpm/--no-tpm, --secure-boot/--no-secure-boot, --firmware or --machine.');
      const info = await withClient((c) => c.call('vm.update', input));
      print(!!o.json, info, () => vmDetails(info));
    });
}
