// Labels of the services' enums and small shared pieces of the pages.
import { t } from "../i18n";
import { Badge } from "../ui";
import { ApplicationState, ApplicationType, ContractState, ServiceType } from "../gen/gridbill/contracts/v1/contracts_pb";
import { DocumentType, PeriodState } from "../gen/gridbill/invoicing/v1/invoicing_pb";
import { JobState, Role } from "../gen/gridbill/common/v1/common_pb";
import { currentSession } from "../api";

export function serviceName(s: ServiceType): string {
  return t(`service.${ServiceType[s] ?? "UNSPECIFIED"}`);
}
export function contractState(s: ContractState) {
  const name = ContractState[s] ?? "UNSPECIFIED";
  const tone = s === ContractState.ACTIVE ? "ok" : s === ContractState.TERMINATED ? "bad" : "warn";
  return <Badge text={t(`contract_state.${name}`)} tone={tone} />;
}
export function applicationState(s: ApplicationState, overdue = false) {
  const name = ApplicationState[s] ?? "UNSPECIFIED";
  const tone =
    s === ApplicationState.APPROVED ? "ok" : s === ApplicationState.REJECTED ? "bad" : overdue ? "warn" : "info";
  return (
    <>
      <Badge text={t(`application_state.${name}`)} tone={tone} />
      {overdue && <> <Badge text={t("applications.overdue")} tone="bad" /></>}
    </>
  );
}
export function applicationType(s: ApplicationType): string {
  return t(`application_type.${ApplicationType[s] ?? "UNSPECIFIED"}`);
}
export function documentType(s: DocumentType): string {
  return t(`document_type.${DocumentType[s] ?? "UNSPECIFIED"}`);
}
export function periodState(s: PeriodState | undefined) {
  const name = s === undefined ? "NONE" : (PeriodState[s] ?? "UNSPECIFIED");
  const tone = s === PeriodState.CLOSED ? "ok" : s === PeriodState.CLOSING ? "warn" : "info";
  return <Badge text={t(`period_state.${name}`)} tone={tone} />;
}
export function jobState(s: JobState | undefined) {
  const name = s === undefined ? "UNSPECIFIED" : (JobState[s] ?? "UNSPECIFIED");
  const tone =
    s === JobState.SUCCEEDED ? "ok" : s === JobState.FAILED || s === JobState.CANCELLED ? "bad" : "info";
  return <Badge text={t(`job_state.${name}`)} tone={tone} />;
}
export function roleName(r: Role): string {
  return t(`role.${Role[r] ?? "UNSPECIFIED"}`);
}
export const SERVICE_TYPES = [
  ServiceType.TRANSMISSION,
  ServiceType.TECHNICAL_DISPATCHING,
  ServiceType.BALANCING,
  ServiceType.GRID_USE,
];
// The participant the signed-in user belongs to ("" for the TSO's staff).
export function myParticipant(): string {
  return currentSession()?.participantId ?? "";
}
export function jobRunning(s: JobState | undefined): boolean {
  return s === JobState.PENDING || s === JobState.RUNNING;
}
