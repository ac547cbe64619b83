//go:build !linux

package emulator

func machineCPUTicks() (uint64, bool) { return 0, false }

func selfCPUTicks() (uint64, bool) { return 0, false }

const clockTicksPerSecond = 100
