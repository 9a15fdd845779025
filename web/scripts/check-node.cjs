// Fails clearly when the Node.js in PATH is too old for Vite 8 (needs >= 20.19).
// Written in old-style JS so that it runs (and explains) even on Debian's Node 18.
'use strict';
var parts = process.versions.node.split('.').map(Number);
var ok = parts[0] > 20 || (parts[0] === 20 && parts[1] >= 19);
if (!ok) {
  console.error('edugov web: Node.js >= 20.19 is required (found ' + process.version + ' at ' +
    process.execPath + ').\nDebian\'s own nodejs (18) is too old; put the machine\'s Node 20 first in PATH.');
  process.exit(1);
}
