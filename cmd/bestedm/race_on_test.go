//go:build race

package main

// raceEnabled says the race detector is on: it makes streaming ten times
// slower, so the memory test streams fewer rows.
const raceEnabled = true
