package bestedm

import (
	"os"
	"strings"
	"testing"
)

// TestModuleRequiresNoCLIDependencies keeps the command line's libraries
// out of the SDK's module graph: cmd/bestedm is a module of its own, so an
// application importing the SDK never downloads or links them.
func TestModuleRequiresNoCLIDependencies(t *testing.T) {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range []string{"spf13/cobra", "schollz/progressbar", "rivo/uniseg", "golang.org/x/term", "pgx", "sqlite"} {
		if strings.Contains(string(b), dep) {
			t.Errorf("the SDK's go.mod requires %s, a dependency of the CLI only (it belongs in cmd/bestedm/go.mod)", dep)
		}
	}
	if _, err := os.Stat("cmd/bestedm/go.mod"); err != nil {
		t.Errorf("cmd/bestedm is not a module of its own: %v", err)
	}
}
