// Package token is the server side of confirmation tokens, importable by a
// backend without package confirm, the records store, the virtual card or
// a SQL driver. It issues one-time challenges ([Challenges], into any
// [Nonces]: [MemoryNonces] for one process, or a shared records store),
// defines the token's format ([Token], [Parse], [Digest]) and validates a
// token ([Validator]): the nonce consumed once, the signature over the
// audience and nonce, the certificate's kind, its chain to a pinned root
// and its revocation status under a [revocation.Policy]. Every refusal is
// an [*Error] whose [Code] names it.
//
// The card side, which has the holder's card sign a challenge, is
// confirm.MakeToken.
package token
