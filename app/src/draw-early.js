/** The recogniser page's head start (early-downloads.js): the recogniser. */
import { startEarlyDownloads } from './early-downloads.js';

startEarlyDownloads(() => ['recogniser']);
