package i18n_test

import (
	"fmt"

	"github.com/mynacard/mynacard/internal/i18n"
)

func ExamplePrinter_Sprintf() {
	for _, lang := range []string{"en", "ja"} {
		p := i18n.New(lang)
		fmt.Println(p.Sprintf(i18n.PromptSigningPassword, 5))
		fmt.Println(p.Sprintf(i18n.ErrWrongPIN, p.Sprintf(i18n.LabelAuthPIN), 2))
	}
	// Output:
	// Enter the signing password (5 tries left)
	// wrong user-authentication PIN: 2 tries left
	// 署名用電子証明書のパスワードを入力してください（残り5回）
	// 利用者証明用電子証明書の暗証番号が違います（残り2回）
}
