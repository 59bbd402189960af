// Package corpus is the policy document model of Zhida: policies and their
// immutable published versions, benefits, and the condition trees of
// CONTRACT §2 that say who a benefit is for. It also holds the lifecycle rules
// (draft → published → retracted) in one place.
//
// The package depends on no database or network; readers of Chinese text and
// the bundled sample corpus live in its sub-packages.
package corpus
