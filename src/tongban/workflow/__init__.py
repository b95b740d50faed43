"""流程引擎: BPMN 2.0 processes run by SpiffWorkflow, for the domains that handle cases.

A lower layer (like jobs and workdays): it imports no domain. The cases domain starts an instance for a
subject (("case", "<id>")), completes its user tasks on behalf of staff and applicants, and reads the
projection of ready tasks (`workflow_tasks`) for the task lists. No pages of its own: the diagram
(`tongban.workflow.diagram.instance_svg`) is embedded by the pages of the domain that owns the subject.

    from tongban.workflow import service as wf
    wf.publish_shipped(session=session)                       # idempotent (by SHA-256 of each .bpmn)
    inst = wf.start(session=session, process_key="promised", subject=("case", "17"),
                    data={}, lanes={"dept": 3}, due_dates={"accept": date(2026, 12, 8)})
    wf.complete(session=session, instance_id=inst.id, task="accept",
                actor=wf.Participant(role="window_clerk", department_id=3), data={"acceptance": "accept"})
"""
