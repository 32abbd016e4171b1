// The pins live in lab/ now, where teardown releases them for a crashed run's journal.
export { linkPin, linkPins, releasePins } from '../../lab/zonlb-pins.js';
