/** `latch iot central …`: applications over ARM, API tokens over the Central data-plane API. */
import type { CommandModule } from '../../../command-table.js';
import { apiTokenCommands } from './api-token.js';
import { appCommands } from './app.js';

export const iotCentralCommands: CommandModule = {
  groups: [
    { name: 'iot central', summary: 'Manage IoT Central resources.' },
    { name: 'iot central app', summary: 'Manage IoT Central applications (ARM Microsoft.IoTCentral/iotApps).' },
    { name: 'iot central api-token', summary: 'Manage API tokens for your IoT Central application.' },
  ],
  commands: [...appCommands, ...apiTokenCommands],
};
