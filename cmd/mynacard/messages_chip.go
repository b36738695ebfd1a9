package main

import "github.com/mynacard/mynacard/confirm"

// Messages of identify --chip and age.
const (
	msgChipNeedOut        msgKey = "cli.chip.need_out"
	msgChipAlone          msgKey = "cli.chip.alone"
	msgChipIdentified     msgKey = "cli.chip.identified"
	msgChipRefused        msgKey = "cli.chip.refused"
	msgChipMethod         msgKey = "cli.chip.method"
	msgChipMethodValue    msgKey = "cli.chip.method_value"
	msgChipFace           msgKey = "cli.chip.face"
	msgChipFaceOK         msgKey = "cli.chip.face_ok"
	msgChipFaceOKTest     msgKey = "cli.chip.face_ok_test"
	msgChipFaceFailed     msgKey = "cli.chip.face_failed"
	msgChipCredential     msgKey = "cli.chip.credential"
	msgChipPresent        msgKey = "cli.chip.present"
	msgChipExpiry         msgKey = "cli.chip.expiry"
	msgChipExpiryUnsigned msgKey = "cli.chip.expiry_unsigned"
	msgChipAuthCert       msgKey = "cli.chip.auth_cert"
	msgChipOK             msgKey = "cli.chip.ok"
	msgChipNG             msgKey = "cli.chip.ng"
	msgChipBirth          msgKey = "cli.chip.birth"
	msgChipSex            msgKey = "cli.chip.sex"
	msgChipCardKey        msgKey = "cli.chip.card_key"
	msgChipWritten        msgKey = "cli.chip.written"
	msgChipCompare        msgKey = "cli.chip.compare"
	msgChipRecord         msgKey = "cli.chip.record"
	msgAgeUsage           msgKey = "cli.age.usage"
	msgAgeYes             msgKey = "cli.age.yes"
	msgAgeNo              msgKey = "cli.age.no"
	msgAgeRefused         msgKey = "cli.age.refused"
	msgHintChipRefused    msgKey = "cli.chip.hint_refused"
	msgChipKeepPhotoUsage msgKey = "cli.chip.keep_photo_usage"
	msgChipFlagsNeedChip  msgKey = "cli.chip.flags_need_chip"
	msgChipText           msgKey = "cli.chip.text"
	msgChipTextMismatch   msgKey = "cli.chip.text_mismatch"
	msgChipName           msgKey = "cli.chip.name"
	msgChipAddress        msgKey = "cli.chip.address"
	msgChipTextBeside     msgKey = "cli.chip.text_beside"
	msgChipPhotoKept      msgKey = "cli.chip.photo_kept"
	msgChipKeepNoRecord   msgKey = "cli.chip.keep_no_record"
	msgChipNoRecord       msgKey = "cli.chip.no_record"
	msgAgeNoRecord        msgKey = "cli.age.no_record"
	msgChipNeedStore      msgKey = "cli.chip.need_store"
	msgHintChipNeedStore  msgKey = "cli.chip.hint_need_store"
)

// chipRefusalMessages names each refusal of a chip identification or an
// age check in the clerk's language.
var chipRefusalMessages = map[confirm.RefusalCode]msgKey{ //nolint:gochecknoglobals // immutable table
	confirm.RefusalChipTampered:              "cli.chip.refusal.tampered",
	confirm.RefusalChipOtherKey:              "cli.chip.refusal.other_key",
	confirm.RefusalChipTestKey:               "cli.chip.refusal.test_key",
	confirm.RefusalChipUnverifiable:          "cli.chip.refusal.unverifiable",
	confirm.RefusalChipNotPresent:            "cli.chip.refusal.not_present",
	confirm.RefusalChipCredentialMismatch:    "cli.chip.refusal.credential_mismatch",
	confirm.RefusalChipExpired:               "cli.chip.refusal.expired",
	confirm.RefusalChipNoAuthCert:            "cli.chip.refusal.no_auth_cert",
	confirm.RefusalChipAuthChain:             "cli.chip.refusal.auth_chain",
	confirm.RefusalChipAuthRevoked:           "cli.chip.refusal.auth_revoked",
	confirm.RefusalChipAuthRevocationUnknown: "cli.chip.refusal.auth_revocation_unknown",
	confirm.RefusalChipTextUnverified:        "cli.chip.refusal.text_unverified",
	confirm.RefusalChipTextMismatch:          "cli.chip.refusal.text_mismatch",
}

func chipMessages() []cliMessage {
	return []cliMessage{
		{msgChipNeedOut, "identify --chip needs --out DIR: the folder where the face photo and the name and address images are written for the clerk", "identify --chip には --out フォルダが必要です（顔写真と氏名・住所の画像を書き出す場所）"},
		{msgChipAlone, "--chip is used alone: it cannot be combined with --auth-key, --enroll, --replaces, --new-holder, --compare-text or --token", "--chip は --auth-key、--enroll、--replaces、--new-holder、--compare-text、--token と一緒には使えません"},
		{msgChipIdentified, "Identified by reading the IC chip: compare the face photo with the person", "ICチップの読取りで確認しました。顔写真とご本人を見比べてください"},
		{msgChipRefused, "Not identified: %s", "確認できません：%s"},
		{msgChipMethod, "Method", "方法"},
		{msgChipMethodValue, "reading the IC chip and verifying the issuer's signature", "ICチップの情報の読取りと発行者の署名の検証"},
		{msgChipFace, "Card face", "券面情報"},
		{msgChipFaceOK, "verified to J-LIS key %s", "J-LISの鍵 %s で検証しました"},
		{msgChipFaceOKTest, "verified to TEST key %s, not a J-LIS production key", "テスト用の鍵 %s で検証しました。J-LISの本番の鍵ではありません"},
		{msgChipFaceFailed, "not verified (%s)", "検証できません（%s）"},
		{msgChipCredential, "照合番号B matches the card face", "照合番号Bと券面情報の一致"},
		{msgChipPresent, "Card present (chip signed a fresh challenge)", "カードの実在（チップが新しいチャレンジに署名）"},
		{msgChipExpiry, "Card valid until", "カードの有効期限"},
		{msgChipExpiryUnsigned, "the expiry date is not covered by the card-face signature: compare it with the card", "有効期限は券面情報の署名の対象外です。カードの表記と見比べてください"},
		{msgChipAuthCert, "Authentication certificate", "利用者証明用電子証明書"},
		{msgChipOK, "ok", "OK"},
		{msgChipNG, "failed", "NG"},
		{msgChipBirth, "Birth date", "生年月日"},
		{msgChipSex, "Sex", "性別"},
		{msgChipCardKey, "Card key ID", "カード鍵ID"},
		{msgChipWritten, "wrote %s", "%s を書き出しました"},
		{msgChipCompare, "name and address are on the card as images: see the files written", "氏名と住所はカード上で画像です。書き出したファイルをご覧ください"},
		{msgChipRecord, "record %d kept", "記録 %d を保存しました"},
		{msgAgeUsage, "--over must be an age from 1 to %d", "--over には1から%dの年齢を指定してください"},
		{msgAgeYes, "Yes: %d or over today (%s, Japan time)", "はい：本日（%[2]s、日本時間）%[1]d歳以上です"},
		{msgAgeNo, "No: not %d or over today (%s, Japan time)", "いいえ：本日（%[2]s、日本時間）%[1]d歳以上ではありません"},
		{msgAgeRefused, "Age not checked: %s", "年齢を確認できません：%s"},
		{msgHintChipRefused, "do not accept this card for identification; ask for another document or the signing certificate method", "このカードでは本人確認を完了できません。別の方法（署名用電子証明書など）をご案内ください"},

		{chipRefusalMessages[confirm.RefusalChipTampered], "the card face does not match its signature (photo or images changed)", "券面情報が署名と一致しません（写真などが改変されています）"},
		{chipRefusalMessages[confirm.RefusalChipOtherKey], "the card data is not signed by a key the issuer certified", "券面情報が発行者の認めた鍵で署名されていません"},
		{chipRefusalMessages[confirm.RefusalChipTestKey], "the card data is signed with a TEST key, refused under a production check", "券面情報がテスト用の鍵で署名されています（本番の確認では受け付けません）"},
		{chipRefusalMessages[confirm.RefusalChipUnverifiable], "the card has no verifiable card-face data", "検証できる券面情報がカードにありません"},
		{chipRefusalMessages[confirm.RefusalChipNotPresent], "card-present check failed: the chip did not prove it holds the card's key (copied files?)", "カードの実在確認に失敗しました（チップがカードの鍵を持っていません。複製の可能性があります）"},
		{chipRefusalMessages[confirm.RefusalChipCredentialMismatch], "the number typed does not match the card's birth date or expiry year", "入力された番号がカードの生年月日または有効期限の年と一致しません"},
		{chipRefusalMessages[confirm.RefusalChipExpired], "the card has expired", "カードの有効期限が切れています"},
		{chipRefusalMessages[confirm.RefusalChipNoAuthCert], "the card has no authentication certificate, so whether it was reported lost cannot be checked", "利用者証明用電子証明書がないため、紛失・失効を確認できません"},
		{chipRefusalMessages[confirm.RefusalChipAuthChain], "the authentication certificate does not verify to a trusted root", "利用者証明用電子証明書を信頼できるルートまで検証できません"},
		{chipRefusalMessages[confirm.RefusalChipAuthRevoked], "the card's authentication certificate is revoked (the card may have been reported lost)", "利用者証明用電子証明書が失効しています（紛失届の出たカードの可能性があります）"},
		{chipRefusalMessages[confirm.RefusalChipAuthRevocationUnknown], "whether the card's certificate is revoked could not be checked", "電子証明書の失効を確認できませんでした"},

		{msgChipKeepPhotoUsage, "--keep-photo must be jp2 (the photo as read from the card) or png", "--keep-photo には jp2（カードから読み取ったままの写真）か png を指定してください"},
		{msgChipFlagsNeedChip, "--with-text, --keep-photo and --out go with --chip", "--with-text、--keep-photo、--out は --chip と一緒に指定してください"},
		{msgChipText, "Name, address, birth date and sex as text", "氏名・住所・生年月日・性別（文字）"},
		{msgChipTextMismatch, "verified, but its birth date or sex differ from the card face", "検証できましたが、生年月日または性別が券面情報と一致しません"},
		{msgChipName, "Name", "氏名"},
		{msgChipAddress, "Address", "住所"},
		{msgChipTextBeside, "name and address above are the card's text, verified; the images written show the card face", "上の氏名と住所はカードの文字情報（検証済み）です。書き出した画像は券面の表示です"},
		{msgChipPhotoKept, "the record keeps the face photo (%s)", "記録に顔写真（%s）を保存しました"},
		{msgChipKeepNoRecord, "--keep-photo keeps the photo in the record: it cannot go with --no-record", "--keep-photo は記録に写真を残す指定のため、--no-record とは一緒に使えません"},
		{msgChipNoRecord, "no record kept (--no-record)", "記録は保存していません（--no-record）"},
		{msgAgeNoRecord, "no record kept (no store)", "記録は保存していません（データベースなし）"},
		{msgChipNeedStore, "identify --chip keeps a record of each identification (method, time, operator, what was read and each check), and there is no store at %s (nothing was created)", "identify --chip は確認ごとに記録（方法・日時・担当者・読み取った項目・各検証の結果）を保存しますが、%s にデータベースがありません（新しく作成はしていません）"},
		{msgHintChipNeedStore, "check --db, or create the store with identify --enroll or eligibility import; --no-record identifies without keeping a record", "--db の指定を確認するか、identify --enroll または eligibility import でデータベースを作成してください。記録を残さない場合は --no-record を指定してください"},
		{chipRefusalMessages[confirm.RefusalChipTextUnverified], "the card's text (name, address, birth date, sex) does not verify to the issuer's key", "カードの文字情報（氏名・住所・生年月日・性別）を発行者の鍵で検証できません"},
		{chipRefusalMessages[confirm.RefusalChipTextMismatch], "the card's text does not match the card face (birth date or sex)", "カードの文字情報が券面情報（生年月日または性別）と一致しません"},
	}
}
