/** The generator page's head start (early-downloads.js): the chosen data set's generator. */
import { startEarlyDownloads } from './early-downloads.js';
import { chosenDataset } from './datasets.js';

startEarlyDownloads((contract) => [chosenDataset(window.location.search, contract).generator]);
