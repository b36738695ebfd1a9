package i18n

// japaneseEntries is the Japanese catalog, in the polite register a
// clerk reads at a municipal or bank counter. Format verbs match the
// English catalog in order and kind (checked by TestVerbsMatch).
func japaneseEntries() []entry {
	return []entry{
		// 暗証番号の入力.
		text(LabelSigningPassword, "署名用電子証明書のパスワード"),
		text(LabelAuthPIN, "利用者証明用電子証明書の暗証番号"),
		text(LabelTextPIN, "券面事項入力補助用の暗証番号"),
		text(LabelPINA, "照合番号A（個人番号12桁）"),
		text(LabelPINB, "照合番号B（生年月日6桁・有効期限の西暦年4桁・セキュリティコード4桁）"),
		text(PromptSigningPassword, "署名用電子証明書のパスワードを入力してください（残り%d回）"),
		text(PromptAuthPIN, "利用者証明用電子証明書の暗証番号（数字4桁）を入力してください（残り%d回）"),
		text(PromptTextPIN, "券面事項入力補助用の暗証番号（数字4桁）を入力してください（残り%d回）"),
		text(PromptPIN, "%sを入力してください（残り%d回）"),
		text(PromptPINUnknownTries, "%sを入力してください"),
		text(PromptNewPIN, "新しい%sを入力してください"),
		text(PromptConfirmPIN, "確認のため、新しい%sをもう一度入力してください"),
		text(WarnLastTry, "残り1回です。%sを間違えるとロックされます"),
		text(ErrLastTryRefused, "%sの残り回数が1回のため、入力を受け付けませんでした"),
		text(ErrWrongPIN, "%sが違います（残り%d回）"),
		text(ErrPINBlocked, "%sがロックされています。再設定には、ご本人による市区町村窓口での手続きが必要です"),
		text(ErrPINMismatch, "新しい%sが一致しません"),
		text(ErrSigningPasswordFormat, "署名用電子証明書のパスワードは、英大文字（A〜Z）と数字（0〜9）の6〜16文字です"),
		text(ErrFourDigitPINFormat, "暗証番号は数字4桁です"),
		text(ErrPINInputTerminal, "暗証番号の入力元が端末のため、入力内容が画面に表示されてしまいます"),
		text(PINChanged, "%sを変更しました"),
		text(PINTriesLeft, "%s：残り%d回"),

		// 判定.
		text(SignatureValid, "署名は有効です"),
		text(SignatureInvalid, "署名が無効です"),
		text(ChainPinnedRoot, "証明書は登録済みのルート証明書（%s）まで検証できました"),
		text(ChainFailed, "証明書を登録済みのルート証明書まで検証できませんでした"),
		text(NotRevoked, "失効していません（%s時点）"),
		text(RevocationUnknown, "失効状況を確認できませんでした（この証明書に該当する失効リスト・OCSP応答がありません）"),
		text(RevokedAffiliationChanged, "失効しています：氏名・住所などの登録内容が変更（異動）されています。ご本人にもう一度本人確認をお願いしてください"),
		text(RevokedSuperseded, "失効しています：証明書が更新されています"),
		text(RevokedKeyCompromise, "失効しています：秘密鍵が漏えいしたおそれがあります"),
		text(RevokedCACompromise, "失効しています：発行元の認証局の鍵が漏えいしたおそれがあります"),
		text(RevokedCessationOfOperation, "失効しています：証明書が不要となり、利用が終了しています"),
		text(RevokedCertificateHold, "失効しています：証明書が一時停止（保留）されています"),
		text(RevokedUnspecified, "失効しています（理由の記載はありません）"),
		text(Identified, "本人確認ができました"),
		text(SameHolder, "登録時と同じ方のカードです"),
		text(VerificationFailed, "確認できませんでした"),
		text(RegistrationResolved, "異動の確認が完了しました。新しい証明書を登録内容に紐付けました"),
		text(NoChange, "変更はありません。登録済みの証明書は有効です"),

		// 資格確認.
		text(EligibilityValid, "有効"),
		text(EligibilityInvalid, "無効"),
		text(EligibilityInvalidNewer, "無効（新しい資格があります）"),
		text(EligibilityNone, "該当する資格がありません"),
		text(EligibilitySeveral, "該当する資格が複数あります"),
		text(EligibilityValidUnregistered, "有効（カードの利用登録はされていません）"),

		// カードとリーダー.
		text(CardRemoved, "カードが取り外されました"),
		text(NoReader, "カードリーダーが見つかりません"),
		text(NotMyNumberCard, "マイナンバーカードではありません"),
		text(WaitingForCard, "カードをリーダーに置いてください（最大%d秒お待ちします）"),
		text(CardTimeout, "%d秒以内にカードが置かれませんでした"),
		text(ReaderNotFound, "%qに該当するカードリーダーがありません"),

		// 代替文字.
		text(SubstituteInName, "氏名に代替文字が含まれています（%s文字目）。カードの券面と照合してください"),
		text(SubstituteInAddress, "住所に代替文字が含まれています（%s文字目）。カードの券面と照合してください"),

		// 項目.
		text(FieldName, "氏名"),
		text(FieldAddress, "住所"),
		text(FieldBirthDate, "生年月日"),
		text(FieldSex, "性別"),
		text(SexMale, "男"),
		text(SexFemale, "女"),
		text(SexUnknown, "不明"),
		text(DateUnknown, "不明"),
		text(DateBoth, "%[2]s（%[1]s）"),
		text(FieldIndividualNumber, "個人番号"),
		text(FieldInsurerNumber, "保険者番号"),
		text(FieldCardSymbol, "記号"),
		text(FieldCardNumber, "番号"),
		text(FieldBranchNumber, "枝番"),
		text(FieldQualificationStart, "資格取得年月日"),
		text(FieldQualificationEnd, "資格喪失年月日"),
		text(FieldCopaymentRatio, "一部負担金割合"),
		text(FieldEligibility, "資格の有効性"),
		text(FieldCertificateExpiry, "証明書の有効期限"),
		text(CompareOld, "変更前"),
		text(CompareNew, "変更後"),
		text(CompareSame, "同じ"),
		text(CompareDiffers, "相違あり"),

		// 行頭の表示.
		text(PrefixError, "エラー"),
		text(PrefixWarning, "注意"),
		text(PrefixHint, "ヒント"),
		text(Colon, "："),

		// ヒントと終了コード.
		text(HintPlaceCard, "カードをリーダーに置いてから、もう一度お試しください"),
		text(HintCheckReader, "カードリーダーの接続と pcscd の起動を確認してください"),
		text(HintMunicipalOffice, "ロックされた暗証番号は、ご本人が市区町村の窓口で再設定できます"),
		text(HintIdentifyAgain, "ご本人に、新しい署名用電子証明書でもう一度本人確認をお願いしてください"),
		text(HintAllowLastTry, "最後の1回を使う場合は、--allow-last-try を付けて実行してください"),
		text(HintUsage, "使い方は 'mynacard %s --help' でご確認ください"),
		text(HintRevocationConfig, "失効リストのファイルまたはOCSPレスポンダーのURLを設定してください"),
		text(ExitOK, "正常終了"),
		text(ExitVerificationFailed, "検証に失敗しました"),
		text(ExitRevoked, "証明書が失効しています"),
		text(ExitNotEligible, "資格がありません"),
		text(ExitCardProblem, "カードまたはカードリーダーに問題があります"),
		text(ExitUsage, "コマンドの指定に誤りがあります"),
	}
}
