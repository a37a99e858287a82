; minutes-app: Windows installer (NSIS 3), per machine, silent-capable.
;
; Build on Windows after the PyInstaller build (dist\minutes-app\):
;   makensis /DVERSION=0.1.0 packaging\windows\minutes-app.nsi
;   -> dist\minutes-app-0.1.0-setup.exe
; /DDISTDIR=... and /DOUTFILE=... override the folders (absolute paths or relative to this file).
;
; Installer options (documented in docs/admin.md, all combinable, /S = silent):
;   /S                   silent, no questions (exit code 0 = success)
;   /MODELS=PFAD.zip     install a model bundle (minutes-app models bundle) into
;                        %PROGRAMDATA%\minutes-app\models; sha256 of every file checked
;                        (a file "models.zip" next to the installer is used when /MODELS is absent)
;   /SETTINGS=PFAD.json  copy as the system-wide settings %PROGRAMDATA%\minutes-app\settings.json
;   /NOSTARTMENU         no Start-menu entries
;   /DESKTOP             a desktop shortcut for all users
;   /D=C:\Pfad           install folder (must be the last option; default %ProgramFiles%\minutes-app)
; Exit codes: 0 ok, 1 cancelled/failed, 2 not admin / not 64-bit, 3 model bundle refused.
;
; Uninstaller options: /S silent; /PURGE also removes %PROGRAMDATA%\minutes-app (models and
; system settings). The users' own data (%APPDATA%, %LOCALAPPDATA%\minutes-app) is never touched.

Unicode true
ManifestDPIAware true

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef DISTDIR
  !define DISTDIR "..\..\dist\minutes-app"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\minutes-app-${VERSION}-setup.exe"
!endif

!define APPNAME "minutes-app"
!define DISPLAYNAME "minutes-app (Protokollentwürfe)"
!define PUBLISHER "minutes-app"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\minutes-app"
!define APPKEY "Software\minutes-app"

Name "${DISPLAYNAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "${APPKEY}" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1031 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=1031 "FileDescription" "Installationsprogramm ${APPNAME}"
VIAddVersionKey /LANG=1031 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1031 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1031 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1031 "LegalCopyright" "MIT"

Var ModelsZip
Var SettingsFile
Var NoStartMenu
Var WantDesktop

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "German"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "minutes-app benötigt ein 64-Bit-Windows." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "admin"
    MessageBox MB_ICONSTOP "Die Installation benötigt Administratorrechte." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  SetRegView 64
  SetShellVarContext all

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/MODELS=" $ModelsZip
  ${If} ${Errors}
    StrCpy $ModelsZip ""
    ${If} ${FileExists} "$EXEDIR\models.zip"
      StrCpy $ModelsZip "$EXEDIR\models.zip"
    ${EndIf}
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/SETTINGS=" $SettingsFile
  ${If} ${Errors}
    StrCpy $SettingsFile ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/NOSTARTMENU" $1
  ${IfNot} ${Errors}
    StrCpy $NoStartMenu "1"
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/DESKTOP" $1
  ${IfNot} ${Errors}
    StrCpy $WantDesktop "1"
  ${EndIf}

  ${If} $ModelsZip != ""
  ${AndIfNot} ${FileExists} "$ModelsZip"
    MessageBox MB_ICONSTOP "Das Modellpaket $ModelsZip wurde nicht gefunden." /SD IDOK
    SetErrorLevel 3
    Quit
  ${EndIf}
  ${If} $SettingsFile != ""
  ${AndIfNot} ${FileExists} "$SettingsFile"
    MessageBox MB_ICONSTOP "Die Einstellungsdatei $SettingsFile wurde nicht gefunden." /SD IDOK
    SetErrorLevel 1
    Quit
  ${EndIf}
FunctionEnd

Section "minutes-app" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An update replaces the program completely (no stale libraries of an older version).
  RMDir /r "$INSTDIR\_internal"
  File /r "${DISTDIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${APPKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APPKEY}" "Version" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${DISPLAYNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\minutes-app-gui.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" "$0"

  ; Machine-wide folder: system settings and models. $APPDATA is %PROGRAMDATA% here
  ; (SetShellVarContext all in .onInit / the uninstaller). Users may read, only admins may write,
  ; so settings locked by the IT stay locked (Administrators, SYSTEM: full; Users: read).
  CreateDirectory "$APPDATA\${APPNAME}\models"
  nsExec::ExecToLog 'icacls "$APPDATA\${APPNAME}" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /Q'
  Pop $0
  ${If} $SettingsFile != ""
    DetailPrint "Systemweite Einstellungen: $SettingsFile"
    CopyFiles /SILENT "$SettingsFile" "$APPDATA\${APPNAME}\settings.json"
  ${EndIf}
SectionEnd

Section "Startmenü" SecStartMenu
  ${If} $NoStartMenu != "1"
    CreateDirectory "$SMPROGRAMS\${APPNAME}"
    CreateShortcut "$SMPROGRAMS\${APPNAME}\minutes-app.lnk" "$INSTDIR\minutes-app-gui.exe" "" "$INSTDIR\minutes-app-gui.exe" 0
    CreateShortcut "$SMPROGRAMS\${APPNAME}\minutes-app deinstallieren.lnk" "$INSTDIR\uninstall.exe"
  ${EndIf}
  ${If} $WantDesktop == "1"
    CreateShortcut "$DESKTOP\minutes-app.lnk" "$INSTDIR\minutes-app-gui.exe" "" "$INSTDIR\minutes-app-gui.exe" 0
  ${EndIf}
SectionEnd

Section "Modellpaket" SecModels
  ${If} $ModelsZip != ""
    DetailPrint "Modellpaket wird installiert und geprüft: $ModelsZip"
    nsExec::ExecToLog '"$INSTDIR\minutes-app.exe" models --models-dir "$APPDATA\${APPNAME}\models" install --from "$ModelsZip" --quiet'
    Pop $0
    ${If} $0 != "0"
      DetailPrint "Das Modellpaket wurde abgelehnt (Exit-Code $0)."
      MessageBox MB_ICONSTOP "Das Modellpaket $ModelsZip konnte nicht installiert werden (Exit-Code $0). Das Programm ist installiert; die Modelle fehlen." /SD IDOK
      SetErrorLevel 3
    ${EndIf}
  ${EndIf}
SectionEnd

Section "Uninstall"
  SetRegView 64
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APPNAME}\minutes-app.lnk"
  Delete "$SMPROGRAMS\${APPNAME}\minutes-app deinstallieren.lnk"
  RMDir "$SMPROGRAMS\${APPNAME}"
  Delete "$DESKTOP\minutes-app.lnk"
  ; Only what the installer put there: never RMDir /r a folder the admin may have chosen.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\minutes-app.exe"
  Delete "$INSTDIR\minutes-app-gui.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "${APPKEY}"

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $1
  ${IfNot} ${Errors}
    DetailPrint "Modelle und systemweite Einstellungen werden entfernt."
    RMDir /r "$APPDATA\${APPNAME}"
  ${EndIf}
SectionEnd
