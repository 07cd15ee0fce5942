package main

// mutuallyExclusive is the usage error msg when more than one of set is
// true: the one rule for flags that exclude each other.
func mutuallyExclusive(msg string, set ...bool) error {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	if n > 1 {
		return usagef("%s", msg)
	}
	return nil
}
