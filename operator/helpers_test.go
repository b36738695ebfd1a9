package operator_test

import (
	"github.com/mynacard/mynacard/operator/internal/chaintest"
)

// Short names for the shared fixtures.
var (
	testTime            = chaintest.Time
	newECKey            = chaintest.NewECKey
	selfSigned          = chaintest.SelfSigned
	sampleRecord        = chaintest.SampleRecord
	chainStore          = chaintest.ChainStore
	testTamperDetection = chaintest.RunTamperDetection
)
