package p11

// PKCS #11 v2.40 constants the module uses (OASIS PKCS #11 Cryptographic
// Token Interface Base Specification v2.40, §3 and §4). They are kept here,
// not imported, so that the module's logic builds and is tested without
// cgo; ck_test.go compares each one with github.com/miekg/pkcs11.

// RV is a CK_RV return value.
type RV uint

// Return values.
const (
	CKR_OK                             RV = 0x000
	CKR_CANCEL                         RV = 0x001
	CKR_HOST_MEMORY                    RV = 0x002
	CKR_SLOT_ID_INVALID                RV = 0x003
	CKR_GENERAL_ERROR                  RV = 0x005
	CKR_FUNCTION_FAILED                RV = 0x006
	CKR_ARGUMENTS_BAD                  RV = 0x007
	CKR_NO_EVENT                       RV = 0x008
	CKR_CANT_LOCK                      RV = 0x00A
	CKR_ATTRIBUTE_SENSITIVE            RV = 0x011
	CKR_ATTRIBUTE_TYPE_INVALID         RV = 0x012
	CKR_DATA_LEN_RANGE                 RV = 0x021
	CKR_DEVICE_ERROR                   RV = 0x030
	CKR_DEVICE_REMOVED                 RV = 0x032
	CKR_FUNCTION_CANCELED              RV = 0x050
	CKR_FUNCTION_NOT_SUPPORTED         RV = 0x054
	CKR_KEY_HANDLE_INVALID             RV = 0x060
	CKR_KEY_TYPE_INCONSISTENT          RV = 0x063
	CKR_KEY_FUNCTION_NOT_PERMITTED     RV = 0x068
	CKR_MECHANISM_INVALID              RV = 0x070
	CKR_MECHANISM_PARAM_INVALID        RV = 0x071
	CKR_OBJECT_HANDLE_INVALID          RV = 0x082
	CKR_OPERATION_ACTIVE               RV = 0x090
	CKR_OPERATION_NOT_INITIALIZED      RV = 0x091
	CKR_PIN_INCORRECT                  RV = 0x0A0
	CKR_PIN_LEN_RANGE                  RV = 0x0A2
	CKR_PIN_LOCKED                     RV = 0x0A4
	CKR_SESSION_COUNT                  RV = 0x0B1
	CKR_SESSION_HANDLE_INVALID         RV = 0x0B3
	CKR_SESSION_PARALLEL_NOT_SUPPORTED RV = 0x0B4
	CKR_SESSION_READ_ONLY              RV = 0x0B5
	CKR_TEMPLATE_INCONSISTENT          RV = 0x0D1
	CKR_TOKEN_NOT_PRESENT              RV = 0x0E0
	CKR_TOKEN_NOT_RECOGNIZED           RV = 0x0E1
	CKR_TOKEN_WRITE_PROTECTED          RV = 0x0E2
	CKR_USER_ALREADY_LOGGED_IN         RV = 0x100
	CKR_USER_NOT_LOGGED_IN             RV = 0x101
	CKR_USER_TYPE_INVALID              RV = 0x103
	CKR_BUFFER_TOO_SMALL               RV = 0x150
	CKR_CRYPTOKI_NOT_INITIALIZED       RV = 0x190
	CKR_CRYPTOKI_ALREADY_INITIALIZED   RV = 0x191
)

// Flags of CK_INFO, CK_SLOT_INFO, CK_TOKEN_INFO, CK_SESSION_INFO,
// CK_MECHANISM_INFO and CK_C_INITIALIZE_ARGS.
const (
	CKF_TOKEN_PRESENT    = 0x1
	CKF_REMOVABLE_DEVICE = 0x2
	CKF_HW_SLOT          = 0x4

	CKF_LOGIN_REQUIRED       = 0x4
	CKF_USER_PIN_INITIALIZED = 0x8
	CKF_TOKEN_INITIALIZED    = 0x400
	CKF_USER_PIN_COUNT_LOW   = 0x10000
	CKF_USER_PIN_FINAL_TRY   = 0x20000
	CKF_USER_PIN_LOCKED      = 0x40000
	CKF_PROTECTED_AUTH_PATH  = 0x100

	CKF_RW_SESSION     = 0x2
	CKF_SERIAL_SESSION = 0x4

	CKF_HW   = 0x1
	CKF_SIGN = 0x800

	CKF_OS_LOCKING_OK = 0x2
	CKF_DONT_BLOCK    = 0x1
)

// Session states.
const (
	CKS_RO_PUBLIC_SESSION = 0
	CKS_RO_USER_FUNCTIONS = 1
	CKS_RW_PUBLIC_SESSION = 2
	CKS_RW_USER_FUNCTIONS = 3
)

// User types.
const (
	CKU_SO               = 0
	CKU_USER             = 1
	CKU_CONTEXT_SPECIFIC = 2
)

// Object classes, key and certificate types.
const (
	CKO_CERTIFICATE = 1
	CKO_PUBLIC_KEY  = 2
	CKO_PRIVATE_KEY = 3

	CKK_RSA   = 0
	CKC_X_509 = 0
)

// Attribute types.
const (
	CKA_CLASS                      = 0x000
	CKA_TOKEN                      = 0x001
	CKA_PRIVATE                    = 0x002
	CKA_LABEL                      = 0x003
	CKA_VALUE                      = 0x011
	CKA_CERTIFICATE_TYPE           = 0x080
	CKA_ISSUER                     = 0x081
	CKA_SERIAL_NUMBER              = 0x082
	CKA_TRUSTED                    = 0x086
	CKA_CERTIFICATE_CATEGORY       = 0x087
	CKA_CHECK_VALUE                = 0x090
	CKA_KEY_TYPE                   = 0x100
	CKA_SUBJECT                    = 0x101
	CKA_ID                         = 0x102
	CKA_SENSITIVE                  = 0x103
	CKA_ENCRYPT                    = 0x104
	CKA_DECRYPT                    = 0x105
	CKA_WRAP                       = 0x106
	CKA_UNWRAP                     = 0x107
	CKA_SIGN                       = 0x108
	CKA_SIGN_RECOVER               = 0x109
	CKA_VERIFY                     = 0x10A
	CKA_VERIFY_RECOVER             = 0x10B
	CKA_DERIVE                     = 0x10C
	CKA_START_DATE                 = 0x110
	CKA_END_DATE                   = 0x111
	CKA_MODULUS                    = 0x120
	CKA_MODULUS_BITS               = 0x121
	CKA_PUBLIC_EXPONENT            = 0x122
	CKA_PRIVATE_EXPONENT           = 0x123
	CKA_PRIME_1                    = 0x124
	CKA_PRIME_2                    = 0x125
	CKA_EXPONENT_1                 = 0x126
	CKA_EXPONENT_2                 = 0x127
	CKA_COEFFICIENT                = 0x128
	CKA_PUBLIC_KEY_INFO            = 0x129
	CKA_EXTRACTABLE                = 0x162
	CKA_LOCAL                      = 0x163
	CKA_NEVER_EXTRACTABLE          = 0x164
	CKA_ALWAYS_SENSITIVE           = 0x165
	CKA_KEY_GEN_MECHANISM          = 0x166
	CKA_MODIFIABLE                 = 0x170
	CKA_COPYABLE                   = 0x171
	CKA_DESTROYABLE                = 0x172
	CKA_ALWAYS_AUTHENTICATE        = 0x202
	CKA_WRAP_WITH_TRUSTED          = 0x210
	CKA_ALLOWED_MECHANISMS         = 0x40000600
	CKA_HASH_OF_SUBJECT_PUBLIC_KEY = 0x08A
	CKA_HASH_OF_ISSUER_PUBLIC_KEY  = 0x08B
)

// Mechanisms.
const (
	CKM_RSA_PKCS        = 0x001
	CKM_SHA1_RSA_PKCS   = 0x006
	CKM_SHA256_RSA_PKCS = 0x040
	CKM_SHA384_RSA_PKCS = 0x041
	CKM_SHA512_RSA_PKCS = 0x042
	CKM_SHA224_RSA_PKCS = 0x046
)

// CK_UNAVAILABLE_INFORMATION and CK_EFFECTIVELY_INFINITE.
const (
	Unavailable         = ^uint(0)
	EffectivelyInfinite = 0
)

// CKR_FUNCTION_REJECTED is returned by C_Sign when the card found only
// one try left (or none) at the moment of a signature.
const CKR_FUNCTION_REJECTED RV = 0x200
