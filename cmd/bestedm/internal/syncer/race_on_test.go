//go:build race

package syncer

// raceEnabled: the race detector slows each child process of the kill test
// several times over, so it tries every sixth kill point.
const raceEnabled = true
