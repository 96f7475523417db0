/** `latch iot hub …` and `latch iot dps …`: az-shaped commands over the ARM face. */
import type { CommandModule } from '../../command-table.js';
import { DPS, HUB } from './arm.js';
import { policyCommands } from './policy.js';
import { resourceCommands } from './resources.js';
import { sasTokenCommands } from './sas-token.js';

export const iotHubCommands: CommandModule = {
  groups: [
    { name: 'iot', summary: 'Manage IoT resources: IoT hubs, provisioning services and IoT Central applications.' },
    { name: 'iot hub', summary: 'Manage IoT hubs (ARM Microsoft.Devices/IotHubs).' },
    { name: 'iot hub policy', summary: 'Manage shared access policies of an IoT hub.' },
    { name: 'iot hub connection-string', summary: 'Manage IoT hub connection strings.' },
  ],
  commands: [...resourceCommands(HUB), ...policyCommands(HUB), ...sasTokenCommands],
};

export const iotDpsCommands: CommandModule = {
  groups: [
    { name: 'iot dps', summary: 'Manage IoT provisioning services (ARM Microsoft.Devices/provisioningServices).' },
    { name: 'iot dps policy', summary: 'Manage shared access policies of an IoT provisioning service.' },
    { name: 'iot dps connection-string', summary: 'Manage IoT provisioning service connection strings.' },
  ],
  commands: [...resourceCommands(DPS), ...policyCommands(DPS)],
};
