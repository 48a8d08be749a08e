package dbx_test

import (
	"testing"

	"github.com/supportd/supportd/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
